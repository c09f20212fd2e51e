// Uploads by tus 1.0 over real HTTP against a running intake: pieces that add up to an
// attachment with its SHA-256, the protocol's refusals, the call's rules, names that are only
// names, content that is not what its name says, another organisation, a closed call, expiry,
// a kill -9 in the middle of a PATCH, and submission with the receipt covering the files.
#include "intake_stack.hpp"

#include <gtest/gtest.h>

#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace casecall::testing {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;
const std::string password = "correct horse battery staple";
const std::string uploads = "/api/intake/v1/uploads";

std::string digest(const std::string& data, const EVP_MD* md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), out, &size, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), size);
}

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (auto& ch : s) ch = static_cast<char>(gen() & 0xFF);
  return s;
}

// Files that libmagic knows by their first bytes.
std::string jpeg(std::size_t size, unsigned seed = 1) {
  std::string head("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 20);
  return head + random_bytes(size - head.size(), seed);
}
std::string pdf(std::size_t size) {
  std::string head = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n";
  std::string tail = "\ntrailer\n<<>>\n%%EOF\n";
  return head + std::string(size - head.size() - tail.size(), ' ') + tail;
}
const std::string html = "<!DOCTYPE html>\n<html><head><title>x</title></head><body><script>alert(1)</script></body></html>\n";

std::string metadata(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out += ",";
    out += key + " " + base64(value);
  }
  return out;
}

std::string make_call(intake_stack& stack, const session& admin) {
  auto call = gs7_call_open_now();
  // Small limits, so that tests reach them with small files.
  call["attachment_rules"] = {{"photo", {{"max_count", 3}, {"max_file_bytes", 1 << 20}, {"max_total_bytes", 2 << 20}}},
                              {"document", {{"max_count", 2}, {"max_file_bytes", 1 << 20}, {"max_total_bytes", 2 << 20}}},
                              {"video", {{"max_count", 0}, {"max_file_bytes", 1}, {"max_total_bytes", 1}}}};
  auto r = stack.call("POST", "/api/intake/v1/calls", call, &admin);
  if (r.status != 201) throw std::runtime_error("call: " + r.raw.body);
  return r.body["id"].get<std::string>();
}

json complete_case() {
  json answers = {{"title", "Solar pumps for village gardens"},
                  {"case_language", "en"},
                  {"country", "SN"},
                  {"theme", {"agriculture"}},
                  {"contact_email", "cases@example.org"},
                  {"partners", {{{"name", "Commune de Ndiob"}, {"country", "SN"}}}}};
  for (const char* field : {"background", "approach", "results", "lessons", "innovation", "sustainability", "replicability"}) {
    answers[field] = std::string("What we wrote about ") + field + ".";
  }
  return {{"answers", answers},
          {"co_authors", json::array()},
          {"contacts", {{{"name", "Owner of Org A"}, {"email", "a@example.org"}}}},
          {"declarations", {"copyright", "consent", "licence"}}};
}

struct cast {
  explicit cast(std::map<std::string, std::string> env = {}) : stack(std::move(env)) {}
  intake_stack stack;
  session admin = stack.create_admin("admin@casecall.test", password);
  session owner_a = stack.register_partner("a@example.org", password, "Org A");
  session owner_b = stack.register_partner("b@example.org", password, "Org B");
  std::string call_id = make_call(stack, admin);
  std::string case_id = new_case(json::object());

  std::string new_case(const json& body) {
    auto r = stack.call("POST", "/api/intake/v1/calls/" + call_id + "/cases", body, &owner_a);
    if (r.status != 201) throw std::runtime_error("case: " + r.raw.body);
    return r.body["id"].get<std::string>();
  }

  api_response create(const std::string& kind, const std::string& filename, std::uint64_t length,
                      const session& who, std::vector<std::pair<std::string, std::string>> headers = {},
                      const std::string& body = {}, std::optional<std::string> for_case = std::nullopt) {
    headers.emplace_back("Tus-Resumable", "1.0.0");
    headers.emplace_back("Upload-Length", std::to_string(length));
    headers.emplace_back("Upload-Metadata", metadata({{"case_id", for_case.value_or(case_id)},
                                                      {"kind", kind},
                                                      {"filename", filename},
                                                      {"filetype", "image/jpeg"}}));
    if (!body.empty()) headers.emplace_back("Content-Type", "application/offset+octet-stream");
    return send("POST", uploads, who, std::move(headers), body);
  }

  api_response patch(const std::string& url, std::uint64_t offset, const std::string& bytes, const session& who,
                     std::vector<std::pair<std::string, std::string>> headers = {}) {
    headers.emplace_back("Tus-Resumable", "1.0.0");
    headers.emplace_back("Upload-Offset", std::to_string(offset));
    headers.emplace_back("Content-Type", "application/offset+octet-stream");
    return send("PATCH", url, who, std::move(headers), bytes);
  }

  api_response head(const std::string& url, const session& who) { return send("HEAD", url, who, {{"Tus-Resumable", "1.0.0"}}); }

  api_response send(const std::string& method, const std::string& target, const session& who,
                    std::vector<std::pair<std::string, std::string>> headers, const std::string& body = {}) {
    headers.emplace_back("Cookie", who.cookie);
    if (method != "GET" && method != "HEAD") headers.emplace_back("X-CSRF-Token", who.csrf);
    if (method == "HEAD") {
      api_response out;
      http_connection conn(stack.port());
      std::string text = "HEAD " + target + " HTTP/1.1\r\nHost: t\r\n";
      for (const auto& [k, v] : headers) text += k + ": " + v + "\r\n";
      conn.send(text + "\r\n");
      auto r = conn.read_response(std::chrono::seconds(10), true);
      if (!r) throw std::runtime_error("no answer to HEAD");
      out.raw = *r;
      out.status = r->status;
      return out;
    }
    return stack.call_raw(method, target, body, std::move(headers));
  }

  // A whole upload in one PATCH; its URL.
  std::string upload(const std::string& kind, const std::string& filename, const std::string& bytes) {
    auto made = create(kind, filename, bytes.size(), owner_a);
    if (made.status != 201) throw std::runtime_error("create: " + made.raw.body);
    const auto url = made.raw.header("Location");
    auto done = patch(url, 0, bytes, owner_a);
    if (done.status != 204) throw std::runtime_error("patch: " + done.raw.body);
    return url;
  }

  json attachments() { return stack.call("GET", "/api/intake/v1/cases/" + case_id, std::nullopt, &owner_a).body["attachments"]; }
  std::string count(const std::string& sql) { return stack.query_row(sql)[0]; }
};

std::string id_of(const std::string& url) { return url.substr(url.rfind('/') + 1); }

TEST(uploads, pieces_add_up_to_an_attachment_with_its_sha256_and_it_downloads_as_a_safe_attachment) {
  cast c;
  const auto bytes = jpeg(300'000);
  const std::string name = "照片 1 \"village\".jpg";
  auto made = c.create("photo", name, bytes.size(), c.owner_a);
  ASSERT_EQ(made.status, 201) << made.raw.body;
  const auto url = made.raw.header("Location");
  EXPECT_TRUE(url.starts_with(uploads + "/")) << url;
  EXPECT_EQ(made.raw.header("Upload-Offset"), "0");
  EXPECT_EQ(made.raw.header("Tus-Resumable"), "1.0.0");
  EXPECT_TRUE(made.raw.header("Upload-Expires").ends_with(" GMT")) << made.raw.header("Upload-Expires");
  // The spool file is named by the upload's id, not by anything the client sent.
  EXPECT_TRUE(fs::exists(fs::path(c.stack.upload_dir()) / "partial" / id_of(url)));

  std::uint64_t offset = 0;
  for (std::size_t piece : {100'000u, 150'000u, 50'000u}) {
    auto head = c.head(url, c.owner_a);
    ASSERT_EQ(head.status, 200);
    EXPECT_EQ(head.raw.header("Upload-Offset"), std::to_string(offset));
    EXPECT_EQ(head.raw.header("Upload-Length"), std::to_string(bytes.size()));
    EXPECT_EQ(head.raw.header("Cache-Control"), "no-store");
    EXPECT_EQ(head.raw.header("Upload-Metadata"), metadata({{"case_id", c.case_id}, {"kind", "photo"}, {"filename", name},
                                                            {"filetype", "image/jpeg"}}));
    auto r = c.patch(url, offset, bytes.substr(offset, piece), c.owner_a);
    ASSERT_EQ(r.status, 204) << r.raw.body;
    offset += piece;
    EXPECT_EQ(r.raw.header("Upload-Offset"), std::to_string(offset));
    EXPECT_EQ(c.count("SELECT \"offset\" FROM intake.uploads"), std::to_string(offset));
  }
  const auto sha = sha256_hex(bytes);
  auto list = c.attachments();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["status"], "complete");
  EXPECT_EQ(list[0]["sha256"], sha);
  EXPECT_EQ(list[0]["media_type"], "image/jpeg");
  EXPECT_EQ(list[0]["filename"], name);
  EXPECT_EQ(list[0]["length"], bytes.size());
  EXPECT_TRUE(list[0]["expires_at"].is_null());
  // Stored by content: the spool file moved to blobs/<2>/<2>/<sha256>.
  EXPECT_FALSE(fs::exists(fs::path(c.stack.upload_dir()) / "partial" / id_of(url)));
  EXPECT_TRUE(fs::exists(fs::path(c.stack.upload_dir()) / "blobs" / sha.substr(0, 2) / sha.substr(2, 2) / sha));
  EXPECT_EQ(c.count("SELECT count(*) FROM audit.events WHERE action = 'attachment.added'"), "1");

  auto download = c.send("GET", list[0]["download_url"].get<std::string>(), c.owner_a, {});
  ASSERT_EQ(download.status, 200);
  EXPECT_EQ(download.raw.body, bytes);
  EXPECT_EQ(download.raw.header("Content-Type"), "image/jpeg");
  EXPECT_EQ(download.raw.header("Content-Disposition"),
            "attachment; filename=\"__ 1 _village_.jpg\"; "
            "filename*=UTF-8''%E7%85%A7%E7%89%87%201%20%22village%22.jpg");
  EXPECT_EQ(download.raw.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(download.raw.header("Content-Security-Policy"), "sandbox; default-src 'none'");
  EXPECT_EQ(download.raw.header("ETag"), "\"" + sha + "\"");
  // Administrators may download it too.
  EXPECT_EQ(c.send("GET", list[0]["download_url"].get<std::string>(), c.admin, {}).raw.body, bytes);
}

TEST(uploads, the_protocol_refusals_412_415_409_460_413_and_the_options) {
  cast c;
  auto options = c.stack.call_raw("OPTIONS", uploads, "", {});
  EXPECT_EQ(options.status, 204);
  EXPECT_EQ(options.raw.header("Tus-Version"), "1.0.0");
  EXPECT_EQ(options.raw.header("Tus-Extension"), "creation,creation-with-upload,termination,checksum,expiration");
  EXPECT_EQ(options.raw.header("Tus-Checksum-Algorithm"), "sha1,sha256");
  EXPECT_EQ(options.raw.header("Tus-Max-Size"), "10737418240");

  const auto bytes = jpeg(4096);
  auto old = c.send("POST", uploads, c.owner_a, {{"Tus-Resumable", "0.2.2"}, {"Upload-Length", "4096"}});
  EXPECT_EQ(old.status, 412);
  EXPECT_EQ(old.code(), "tus_version_unsupported");
  EXPECT_EQ(old.raw.header("Tus-Version"), "1.0.0");
  EXPECT_EQ(c.send("POST", uploads, c.owner_a, {{"Upload-Length", "4096"}}).status, 412u);
  EXPECT_EQ(c.count("SELECT count(*) FROM intake.uploads"), "0");

  const auto url = c.create("photo", "p.jpg", bytes.size(), c.owner_a).raw.header("Location");
  auto wrong_type = c.send("PATCH", url, c.owner_a, {{"Tus-Resumable", "1.0.0"}, {"Upload-Offset", "0"},
                                                     {"Content-Type", "application/octet-stream"}}, bytes.substr(0, 100));
  EXPECT_EQ(wrong_type.status, 415);
  auto no_offset = c.send("PATCH", url, c.owner_a, {{"Tus-Resumable", "1.0.0"}, {"Content-Type", "application/offset+octet-stream"}},
                          bytes.substr(0, 100));
  EXPECT_EQ(no_offset.status, 400);
  EXPECT_EQ(no_offset.code(), "bad_upload_offset");
  auto mismatch = c.patch(url, 10, bytes.substr(10, 100), c.owner_a);
  EXPECT_EQ(mismatch.status, 409);
  EXPECT_EQ(mismatch.code(), "offset_mismatch");

  // A checksum that does not match: 460, and the offset stays where it was.
  auto bad_sum = c.patch(url, 0, bytes.substr(0, 1000), c.owner_a,
                         {{"Upload-Checksum", "sha1 " + base64(digest("something else", EVP_sha1()))}});
  EXPECT_EQ(bad_sum.status, 460);
  EXPECT_EQ(bad_sum.code(), "checksum_mismatch");
  EXPECT_EQ(c.head(url, c.owner_a).raw.header("Upload-Offset"), "0");
  auto md5 = c.patch(url, 0, bytes.substr(0, 1000), c.owner_a, {{"Upload-Checksum", "md5 " + base64(std::string(16, 'x'))}});
  EXPECT_EQ(md5.status, 400);
  EXPECT_EQ(md5.code(), "checksum_algorithm_unsupported");
  auto sha1 = c.patch(url, 0, bytes.substr(0, 1000), c.owner_a,
                      {{"Upload-Checksum", "sha1 " + base64(digest(bytes.substr(0, 1000), EVP_sha1()))}});
  EXPECT_EQ(sha1.status, 204) << sha1.raw.body;
  EXPECT_EQ(sha1.raw.header("Upload-Offset"), "1000");
  // More than the upload's length: 413 before a byte is taken.
  auto too_long = c.patch(url, 1000, bytes.substr(1000) + "extra", c.owner_a);
  EXPECT_EQ(too_long.status, 413);
  EXPECT_EQ(too_long.code(), "upload_too_long");
  EXPECT_EQ(c.head(url, c.owner_a).raw.header("Upload-Offset"), "1000");
  auto sha256 = c.patch(url, 1000, bytes.substr(1000), c.owner_a,
                        {{"Upload-Checksum", "sha256 " + base64(digest(bytes.substr(1000), EVP_sha256()))}});
  EXPECT_EQ(sha256.status, 204) << sha256.raw.body;
  EXPECT_EQ(c.attachments()[0]["sha256"], sha256_hex(bytes));
  // Every answer says the protocol version, errors included.
  EXPECT_EQ(mismatch.raw.header("Tus-Resumable"), "1.0.0");
  EXPECT_EQ(bad_sum.raw.header("Tus-Resumable"), "1.0.0");
}

TEST(uploads, a_second_patch_while_one_is_writing_is_423) {
  cast c;
  const auto bytes = jpeg(200'000);
  const auto url = c.create("photo", "p.jpg", bytes.size(), c.owner_a).raw.header("Location");
  // The first PATCH sends half of what it announces and waits.
  http_connection first(c.stack.port());
  first.send("PATCH " + url + " HTTP/1.1\r\nHost: t\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
             "Content-Type: application/offset+octet-stream\r\nContent-Length: " + std::to_string(bytes.size()) +
             "\r\nCookie: " + c.owner_a.cookie + "\r\nX-CSRF-Token: " + c.owner_a.csrf + "\r\n\r\n" + bytes.substr(0, 100'000));
  // Once the first holds the upload (its bytes are in the spool file), a second PATCH is told
  // it is busy. (Its offset is wrong on purpose, so that it could never write. Probing before
  // the first holds the upload would race it: a probe holds the upload while it answers.)
  const auto spool = fs::path(c.stack.upload_dir()) / "partial" / id_of(url);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while ((!fs::exists(spool) || fs::file_size(spool) < 100'000) && std::chrono::steady_clock::now() < deadline) {
  }
  ASSERT_EQ(fs::file_size(spool), 100'000u);
  auto second = c.patch(url, 1, bytes.substr(1, 10), c.owner_a);
  EXPECT_EQ(second.status, 423);
  EXPECT_EQ(second.code(), "upload_locked");
  first.send(bytes.substr(100'000));
  auto done = first.read_response();
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, 204);
  EXPECT_EQ(c.attachments()[0]["sha256"], sha256_hex(bytes));
}

TEST(uploads, creation_with_upload_termination_and_expiry) {
  cast c;
  const auto bytes = pdf(50'000);
  auto made = c.create("document", "report.pdf", bytes.size(), c.owner_a, {}, bytes.substr(0, 20'000));
  ASSERT_EQ(made.status, 201) << made.raw.body;
  EXPECT_EQ(made.raw.header("Upload-Offset"), "20000");
  const auto url = made.raw.header("Location");

  // Termination: the bytes go, and the URL answers 410.
  auto removed = c.send("DELETE", url, c.owner_a, {{"Tus-Resumable", "1.0.0"}});
  EXPECT_EQ(removed.status, 204);
  EXPECT_FALSE(fs::exists(fs::path(c.stack.upload_dir()) / "partial" / id_of(url)));
  EXPECT_EQ(c.head(url, c.owner_a).status, 410u);
  EXPECT_EQ(c.patch(url, 20'000, bytes.substr(20'000), c.owner_a).code(), "upload_gone");
  EXPECT_EQ(c.attachments().size(), 0u);

  // Expiry: an unfinished upload past its Upload-Expires answers 410 at once, and the sweeper
  // deletes its bytes (woken here; it also runs on its own clock).
  const auto late = c.create("document", "late.pdf", bytes.size(), c.owner_a, {}, bytes.substr(0, 1000)).raw.header("Location");
  const auto spool_file = fs::path(c.stack.upload_dir()) / "partial" / id_of(late);
  ASSERT_TRUE(fs::exists(spool_file));
  c.stack.query_row("UPDATE intake.uploads SET expires_at = now() - interval '1 minute' WHERE id = '" + id_of(late) +
                    "' RETURNING 1");
  auto gone = c.head(late, c.owner_a);
  EXPECT_EQ(gone.status, 410);
  EXPECT_EQ(c.patch(late, 1000, bytes.substr(1000), c.owner_a).code(), "upload_gone");
  c.stack.query_row("SELECT pg_notify('intake_upload_sweep', '')");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (fs::exists(spool_file) && std::chrono::steady_clock::now() < deadline) {
    c.stack.query_row("SELECT pg_notify('intake_upload_sweep', '')");  // polls the outcome, not a clock
  }
  EXPECT_FALSE(fs::exists(spool_file));
  EXPECT_EQ(c.count("SELECT status FROM intake.uploads WHERE id = '" + id_of(late) + "'"), "expired");
  EXPECT_EQ(c.count("SELECT count(*) FROM audit.events WHERE action = 'upload.expired'"), "1");
}

TEST(uploads, spoofed_content_path_names_nul_oversize_and_one_too_many_are_refused_clearly) {
  cast c;
  // HTML named photo.jpg: every byte arrives, then the content is looked at and refused.
  auto spoof = c.create("photo", "photo.jpg", html.size(), c.owner_a);
  ASSERT_EQ(spoof.status, 201);
  const auto url = spoof.raw.header("Location");
  auto refused = c.patch(url, 0, html, c.owner_a);
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(refused.code(), "file_type_not_allowed");
  EXPECT_NE(refused.body["detail"].get<std::string>().find("text/html"), std::string::npos) << refused.raw.body;
  EXPECT_FALSE(fs::exists(fs::path(c.stack.upload_dir()) / "partial" / id_of(url)));
  EXPECT_FALSE(fs::exists(fs::path(c.stack.upload_dir()) / "blobs"/ sha256_hex(html).substr(0, 2)));
  EXPECT_EQ(c.head(url, c.owner_a).status, 410u);
  EXPECT_EQ(c.attachments().size(), 0u);
  EXPECT_EQ(c.count("SELECT detail->>'detected' FROM audit.events WHERE action = 'upload.refused'"), "text/html");

  const auto before = c.count("SELECT count(*) FROM intake.uploads");
  auto path = c.create("photo", "../../etc/passwd", 100, c.owner_a);
  EXPECT_EQ(path.status, 422);
  EXPECT_EQ(path.field_errors(), (std::vector<std::string>{"Upload-Metadata/filename bad_filename"}));
  auto nul = c.create("photo", std::string("photo\0.jpg", 10), 100, c.owner_a);
  EXPECT_EQ(nul.status, 422);
  EXPECT_EQ(nul.field_errors(), (std::vector<std::string>{"Upload-Metadata/filename bad_filename"}));
  auto big = c.create("photo", "big.jpg", (1 << 20) + 1, c.owner_a);
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.code(), "file_too_large");
  auto no_video = c.create("video", "clip.mp4", 100, c.owner_a);
  EXPECT_EQ(no_video.field_errors(), (std::vector<std::string>{"Upload-Metadata/kind not_allowed"}));
  auto bad_meta = c.send("POST", uploads, c.owner_a, {{"Tus-Resumable", "1.0.0"}, {"Upload-Length", "10"},
                                                      {"Upload-Metadata", "case_id %%%notbase64"}});
  EXPECT_EQ(bad_meta.code(), "bad_metadata");
  EXPECT_EQ(c.count("SELECT count(*) FROM intake.uploads"), before);

  // Two documents are the rule: the third is refused, while the first two still count as
  // they arrive.
  c.upload("document", "a.pdf", pdf(10'000));
  EXPECT_EQ(c.create("document", "b.pdf", 10'000, c.owner_a).status, 201u);
  auto third = c.create("document", "c.pdf", 10'000, c.owner_a);
  EXPECT_EQ(third.status, 422);
  EXPECT_EQ(third.code(), "too_many_attachments");
  EXPECT_EQ(third.field_errors(), (std::vector<std::string>{"Upload-Metadata/kind too_many_attachments"}));
  // The total per kind: two photos of 1 MiB fill the 2 MiB, a third byte more does not fit.
  c.upload("photo", "1.jpg", jpeg(1 << 20, 3));
  c.upload("photo", "2.jpg", jpeg(1 << 20, 4));
  auto over_total = c.create("photo", "3.jpg", 1, c.owner_a);
  EXPECT_EQ(over_total.status, 413);
  EXPECT_EQ(over_total.code(), "attachments_too_large");
}

TEST(uploads, another_organisation_gets_404_on_every_upload_route_and_download) {
  cast c;
  const auto bytes = jpeg(5000);
  const auto done = c.upload("photo", "a.jpg", bytes);
  const auto open = c.create("photo", "b.jpg", 5000, c.owner_a).raw.header("Location");
  EXPECT_EQ(c.create("photo", "mine.jpg", 5000, c.owner_b).status, 404u);  // A's case, by B
  EXPECT_EQ(c.head(open, c.owner_b).status, 404u);
  EXPECT_EQ(c.patch(open, 0, bytes, c.owner_b).status, 404u);
  EXPECT_EQ(c.send("DELETE", open, c.owner_b, {{"Tus-Resumable", "1.0.0"}}).status, 404u);
  EXPECT_EQ(c.send("DELETE", done, c.owner_b, {{"Tus-Resumable", "1.0.0"}}).status, 404u);
  EXPECT_EQ(c.send("GET", "/api/intake/v1/attachments/" + id_of(done), c.owner_b, {}).status, 404u);
  // Nothing moved, and each refusal is in the audit log.
  EXPECT_EQ(c.head(open, c.owner_a).raw.header("Upload-Offset"), "0");
  EXPECT_EQ(c.attachments().size(), 2u);
  EXPECT_EQ(c.count("SELECT count(*) FROM audit.events WHERE action = 'access.denied'"), "6");
}

TEST(uploads, once_the_call_has_closed_by_its_dates_uploads_are_409_call_closed) {
  cast c;
  const auto bytes = jpeg(5000);
  const auto open = c.create("photo", "b.jpg", bytes.size(), c.owner_a).raw.header("Location");
  EXPECT_EQ(c.patch(open, 0, bytes.substr(0, 1000), c.owner_a).status, 204u);
  auto moved = c.stack.call("PATCH", "/api/intake/v1/calls/" + c.call_id,
                            json{{"closes_at", "2021-01-01T00:00:00Z"}, {"grace_minutes", 60}}, &c.admin, {{"If-Match", "*"}});
  ASSERT_EQ(moved.body["status"], "closed");
  EXPECT_EQ(c.create("photo", "c.jpg", 10, c.owner_a).code(), "call_closed");
  EXPECT_EQ(c.patch(open, 1000, bytes.substr(1000), c.owner_a).code(), "call_closed");
  EXPECT_EQ(c.send("DELETE", open, c.owner_a, {{"Tus-Resumable", "1.0.0"}}).code(), "call_closed");
  EXPECT_EQ(c.head(open, c.owner_a).raw.header("Upload-Offset"), "1000");
}

TEST(uploads, a_patch_cut_by_kill_9_resumes_from_its_last_durable_offset_after_a_restart) {
  cast c(std::map<std::string, std::string>{{"CASECALL_UPLOAD_CHECKPOINT_BYTES", "65536"}, {"CASECALL_UPLOAD_CHECKPOINT_MS", "0"}});
  const auto bytes = jpeg(1'000'000, 7);
  const auto url = c.create("photo", "big.jpg", bytes.size(), c.owner_a).raw.header("Location");
  {
    http_connection conn(c.stack.port());
    conn.send("PATCH " + url + " HTTP/1.1\r\nHost: t\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
              "Content-Type: application/offset+octet-stream\r\nContent-Length: " + std::to_string(bytes.size()) +
              "\r\nCookie: " + c.owner_a.cookie + "\r\nX-CSRF-Token: " + c.owner_a.csrf + "\r\n\r\n" + bytes.substr(0, 600'000));
    // Wait until the server has made some of it durable (checkpoints every 64 KiB), then kill it.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::stoull(c.count("SELECT \"offset\" FROM intake.uploads")) < 500'000 && std::chrono::steady_clock::now() < deadline) {
    }
    c.stack.kill_and_restart_intake();
  }
  auto head = c.head(url, c.owner_a);
  ASSERT_EQ(head.status, 200);
  const auto offset = std::stoull(head.raw.header("Upload-Offset"));
  EXPECT_GE(offset, 500'000u);
  EXPECT_LE(offset, 600'000u);
  // The rest, from where the server says; the hash is recomputed from the file after the restart.
  auto rest = c.patch(url, offset, bytes.substr(offset), c.owner_a);
  ASSERT_EQ(rest.status, 204) << rest.raw.body;
  EXPECT_EQ(c.attachments()[0]["sha256"], sha256_hex(bytes));
}

TEST(uploads, submission_needs_finished_attachments_within_the_rules_and_the_receipt_covers_them) {
  cast c;
  c.case_id = c.new_case(complete_case());
  const auto photo = jpeg(20'000, 11);
  const auto report = pdf(30'000);
  const auto photo_url = c.upload("photo", "garden.jpg", photo);
  const auto report_url = c.upload("document", "rapport final.pdf", report);
  const auto unfinished = c.create("photo", "half.jpg", 10'000, c.owner_a).raw.header("Location");
  auto etag = c.stack.call("GET", "/api/intake/v1/cases/" + c.case_id, std::nullopt, &c.owner_a).raw.header("ETag");
  auto early = c.stack.call("POST", "/api/intake/v1/cases/" + c.case_id + "/submit", std::nullopt, &c.owner_a, {{"If-Match", etag}});
  EXPECT_EQ(early.status, 422);
  EXPECT_EQ(early.field_errors(), (std::vector<std::string>{"/attachments/2 incomplete"}));
  EXPECT_EQ(c.send("DELETE", unfinished, c.owner_a, {{"Tus-Resumable", "1.0.0"}}).status, 204u);
  // A file removed before any submission named it is gone for good. (Files coming and going
  // leave the draft's ETag as it was: uploads run beside the editing.)
  const auto dropped = c.upload("photo", "blurred.jpg", jpeg(5000, 12));
  EXPECT_EQ(c.send("DELETE", dropped, c.owner_a, {{"Tus-Resumable", "1.0.0"}}).status, 204u);
  EXPECT_EQ(c.send("GET", "/api/intake/v1/attachments/" + id_of(dropped), c.owner_a, {}).status, 404u);

  auto receipt = c.stack.call("POST", "/api/intake/v1/cases/" + c.case_id + "/submit", std::nullopt, &c.owner_a, {{"If-Match", etag}});
  ASSERT_EQ(receipt.status, 201) << receipt.raw.body;
  // The receipt, recomputed from what the partner holds: the content they sent and their files.
  const auto sent = complete_case();
  const json content = {{"case_id", c.case_id},
                        {"call_id", c.call_id},
                        {"reference", receipt.body["reference"]},
                        {"number", 1},
                        {"answers", sent["answers"]},
                        {"co_authors", sent["co_authors"]},
                        {"contacts", sent["contacts"]},
                        {"declarations", sent["declarations"]},
                        {"attachments",
                         {{{"id", id_of(photo_url)}, {"kind", "photo"}, {"filename", "garden.jpg"}, {"media_type", "image/jpeg"},
                           {"size", photo.size()}, {"sha256", sha256_hex(photo)}},
                          {{"id", id_of(report_url)}, {"kind", "document"}, {"filename", "rapport final.pdf"},
                           {"media_type", "application/pdf"}, {"size", report.size()}, {"sha256", sha256_hex(report)}}}}};
  EXPECT_EQ(sha256_hex(content.dump()), receipt.body["sha256"]);
  // Removing a file after submission is a change since the submission; the version keeps it.
  EXPECT_EQ(c.send("DELETE", photo_url, c.owner_a, {{"Tus-Resumable", "1.0.0"}}).status, 204u);
  auto now = c.stack.call("GET", "/api/intake/v1/cases/" + c.case_id, std::nullopt, &c.owner_a);
  EXPECT_EQ(now.body["changed_since_submission"], true);
  EXPECT_EQ(now.body["attachments"].size(), 1u);
  auto version = c.stack.call("GET", "/api/intake/v1/cases/" + c.case_id + "/versions/1", std::nullopt, &c.owner_a);
  EXPECT_EQ(version.body["content"]["attachments"].size(), 2u);
  EXPECT_EQ(c.send("GET", "/api/intake/v1/attachments/" + id_of(photo_url), c.owner_a, {}).raw.body, photo);
}

}  // namespace
}  // namespace casecall::testing
