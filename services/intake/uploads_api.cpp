// tus 1.0 at /api/intake/v1/uploads. An upload is created bound to a case and a kind, and
// checked against the call's rules for that kind before a byte is taken. Its bytes go to a
// spool file as they arrive, hashed on the way; the offset the database holds is what was
// made durable (fdatasync) and acknowledged. A long PATCH makes its offset durable every
// checkpoint_bytes but at most once per checkpoint_interval (a fast upload is not to stall on
// its checkpoints), so that an upload cut by a crash resumes near where it stopped; a cut
// connection keeps what arrived. The last byte brings the content check (libmagic) and the
// move into the content-addressed store; a file whose content is not of its kind is refused
// and deleted.
#include "intake/uploads_api.hpp"

#include "audit/audit.hpp"
#include "db/await.hpp"
#include "db/outbox_worker.hpp"
#include "http/blocking.hpp"
#include "http/body_source.hpp"
#include "http/problem.hpp"
#include "identity/identity.hpp"
#include "intake/domain/upload_rules.hpp"
#include "intake/request_util.hpp"
#include "intake/store/files.hpp"
#include "log/log.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace casecall::intake {

namespace {

using json = nlohmann::json;
using http::access;
using http::method;
using http::request;
using http::response;
using clock = std::chrono::system_clock;

const std::string stream = "intake";
constexpr std::string_view tus_version = "1.0.0";
constexpr std::string_view offset_octet_stream = "application/offset+octet-stream";
constexpr std::size_t piece_size = 64 * 1024;  // memory per upload in progress

[[noreturn]] void fail_with_errors(unsigned status, std::string code, std::string title, std::string detail,
                                   std::vector<http::field_error> errors) {
  auto p = http::problems::make(status, std::move(code), std::move(title), std::move(detail));
  p.errors = std::move(errors);
  throw http::problem_error(std::move(p));
}

void require_tus(const request& req) {
  if (req.header("Tus-Resumable") != tus_version) {
    fail(412, "tus_version_unsupported", "tus version not supported",
         "Send Tus-Resumable: 1.0.0; this server speaks tus 1.0.0 only.");
  }
}

bool is_offset_stream(std::string_view content_type) {
  auto semicolon = content_type.find(';');
  auto bare = content_type.substr(0, semicolon);
  while (!bare.empty() && bare.back() == ' ') bare.remove_suffix(1);
  return http::iequals(bare, offset_octet_stream);
}

// The running SHA-256 of uploads in progress, by id and offset, and which uploads a PATCH
// holds now. In memory: after a restart the hash is recomputed from the spool file.
class registry {
 public:
  struct running {
    std::uint64_t offset = 0;
    store::sha256_state hash;
  };

  bool try_hold(const std::string& id) {
    std::lock_guard lock(mutex_);
    return held_.insert(id).second;
  }
  void release(const std::string& id) {
    std::lock_guard lock(mutex_);
    held_.erase(id);
  }
  std::optional<store::sha256_state> hash_at(const std::string& id, std::uint64_t offset) {
    std::lock_guard lock(mutex_);
    auto it = states_.find(id);
    if (it == states_.end() || it->second.offset != offset) return std::nullopt;
    return it->second.hash;
  }
  void remember(const std::string& id, std::uint64_t offset, const store::sha256_state& hash) {
    std::lock_guard lock(mutex_);
    if (states_.size() >= 100'000) states_.clear();  // a bound; what is dropped is recomputed
    states_[id] = running{offset, hash};
  }
  void forget(const std::string& id) {
    std::lock_guard lock(mutex_);
    states_.erase(id);
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, running> states_;
  std::unordered_set<std::string> held_;
};

// Holds an upload for one PATCH (or termination); 423 while another holds it.
class hold {
 public:
  hold(registry& r, std::string id) : registry_(r), id_(std::move(id)) {
    if (!registry_.try_hold(id_)) {
      fail(423, "upload_locked", "Upload busy",
           "Another request is writing to this upload; ask for its offset (HEAD) and resume from there.");
    }
  }
  ~hold() { registry_.release(id_); }
  hold(const hold&) = delete;
  hold& operator=(const hold&) = delete;

 private:
  registry& registry_;
  std::string id_;
};

// The digest of one request's body, for Upload-Checksum.
class body_digest {
 public:
  explicit body_digest(const std::string& algorithm) : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_, algorithm == "sha1" ? EVP_sha1() : EVP_sha256(), nullptr) != 1) {
      throw std::runtime_error("cannot start a digest");
    }
  }
  ~body_digest() { EVP_MD_CTX_free(ctx_); }
  body_digest(const body_digest&) = delete;
  body_digest& operator=(const body_digest&) = delete;
  void update(const char* data, std::size_t size) { EVP_DigestUpdate(ctx_, data, size); }
  std::string final() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(ctx_, out, &size);
    return std::string(reinterpret_cast<char*>(out), size);
  }

 private:
  EVP_MD_CTX* ctx_;
};

// An upload as the handlers see it, with its case and call.
struct upload_row {
  std::string id;
  std::string case_id;
  std::string organisation_id;
  std::string kind;
  std::string filename;
  std::string status;  // receiving, complete, terminated, expired, refused
  std::uint64_t length = 0;
  std::uint64_t offset = 0;
  clock::time_point expires_at;
  bool past_expiry = false;
  std::string media_type;
  std::string sha256;
  std::string call_status;
  std::string case_status;
  std::string declared_type;  // the client's filetype, informational
};

constexpr const char* upload_select =
    "SELECT u.id, u.case_id, u.organisation_id, u.kind, u.filename, u.status, u.length, u.\"offset\", "
    "extract(epoch FROM u.expires_at)::float8, u.expires_at <= now(), coalesce(u.media_type, ''), "
    "coalesce(u.sha256, ''), intake.call_status(c), k.status, coalesce(u.declared_type, '') "
    "FROM intake.uploads u JOIN intake.cases k ON k.id = u.case_id JOIN intake.calls c ON c.id = k.call_id "
    "WHERE u.id = $1";

upload_row read_row(const pqxx::row& r) {
  upload_row u;
  u.id = r[0].as<std::string>();
  u.case_id = r[1].as<std::string>();
  u.organisation_id = r[2].as<std::string>();
  u.kind = r[3].as<std::string>();
  u.filename = r[4].as<std::string>();
  u.status = r[5].as<std::string>();
  u.length = r[6].as<std::uint64_t>();
  u.offset = r[7].as<std::uint64_t>();
  u.expires_at = clock::time_point(std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(r[8].as<double>())));
  u.past_expiry = r[9].as<bool>();
  u.media_type = r[10].as<std::string>();
  u.sha256 = r[11].as<std::string>();
  u.call_status = r[12].as<std::string>();
  u.case_status = r[13].as<std::string>();
  u.declared_type = r[14].as<std::string>();
  return u;
}

// The upload, if the caller may see it: its organisation's members, and administrators when
// `admins` is set. A refusal is audited and answers as an upload that does not exist.
std::optional<upload_row> visible_upload(db::connection& c, pqxx::work& tx, const request& req, const std::string& id,
                                         bool admins) {
  const auto& me = identity::caller(req);
  auto rows = tx.exec_params(upload_select, id);
  if (rows.empty()) return std::nullopt;
  auto u = read_row(rows[0]);
  if (!(admins && me.is_admin()) && !me.belongs_to(u.organisation_id)) {
    auto e = identity::audit_event(req, stream, "access.denied", "upload", id);
    e.detail["reason"] = "not_own_organisation";
    e.detail["route"] = std::string(req.route_name);
    audit::record(c, tx, std::move(e));
    return std::nullopt;
  }
  return u;
}

// 410 for an upload that has ended, or whose time ran out.
void require_receiving(const upload_row& u) {
  if (u.status == "receiving" && !u.past_expiry) return;
  if (u.status == "complete") return;
  const std::string why = u.status == "terminated" ? "was terminated"
                          : u.status == "refused"  ? "was refused: its content was not of its kind"
                                                   : "expired before it was finished";
  fail(410, "upload_gone", "Upload gone", "This upload " + why + "; start a new one.");
}

void set_tus_headers(response& res) { res.set_header("Tus-Resumable", std::string(tus_version)); }

struct api {
  service::context& ctx;
  std::shared_ptr<store::blob_store> blobs;
  std::shared_ptr<store::spool> spool;
  std::shared_ptr<http::blocking_pool> files;
  std::shared_ptr<registry> running;

  const service::upload_config& cfg() const { return ctx.config.uploads; }

  // OPTIONS /uploads (anyone): what this server offers.
  http::awaitable<response> options(request&) const {
    auto res = response::no_content();
    res.set_header("Tus-Version", std::string(tus_version));
    res.set_header("Tus-Extension", "creation,creation-with-upload,termination,checksum,expiration");
    res.set_header("Tus-Max-Size", std::to_string(cfg().max_bytes));
    res.set_header("Tus-Checksum-Algorithm", "sha1,sha256");
    co_return res;
  }

  // POST /uploads (partners): a new upload for a case of the caller's organisation, with its
  // first bytes when the request carries them.
  http::awaitable<response> create(request& req) const {
    require_tus(req);
    const auto& me = identity::caller(req);
    const auto length = domain::parse_length(req.header("Upload-Length"));
    if (!length) {
      fail(400, "bad_upload_length", "Bad Upload-Length",
           req.header("Upload-Defer-Length").empty()
               ? "Upload-Length must give the upload's size in bytes."
               : "Upload-Defer-Length is not offered here: give Upload-Length.");
    }
    auto metadata = domain::parse_upload_metadata(req.header("Upload-Metadata"));
    if (!metadata) {
      fail(400, "bad_metadata", "Bad Upload-Metadata",
           "Upload-Metadata must be comma-separated pairs of a key and its base64 value.");
    }
    auto value = [&](const char* key) -> std::optional<std::string> {
      auto it = metadata->find(key);
      if (it == metadata->end() || it->second.empty()) return std::nullopt;
      return it->second;
    };
    std::vector<http::field_error> errors;
    const auto case_id = value("case_id");
    const auto kind = value("kind");
    const auto filename = value("filename");
    if (!case_id) {
      errors.push_back({"Upload-Metadata/case_id", "missing", "Name the case the file belongs to (case_id)."});
    } else if (!is_uuid(*case_id)) {
      errors.push_back({"Upload-Metadata/case_id", "bad_format", "case_id must be a case's id."});
    }
    if (!kind) {
      errors.push_back({"Upload-Metadata/kind", "missing", "Say what the file is: photo, document or video (kind)."});
    } else if (!domain::is_attachment_kind(*kind)) {
      errors.push_back({"Upload-Metadata/kind", "not_allowed", "kind is one of photo, document, video."});
    }
    if (!filename) {
      errors.push_back({"Upload-Metadata/filename", "missing", "Give the file's name (filename)."});
    } else if (auto problem = domain::filename_problem(*filename)) {
      errors.push_back({"Upload-Metadata/filename", "bad_filename", *problem});
    }
    if (!errors.empty()) throw http::problem_error(http::problems::validation_failed(std::move(errors)));
    if (*length > cfg().max_bytes) {
      fail(413, "file_too_large", "File too large",
           "This server takes files of at most " + std::to_string(cfg().max_bytes) + " bytes.");
    }
    auto& body = *req.body_stream;
    const auto declared = body.declared_length();
    const bool has_body = declared != std::uint64_t{0};
    if (has_body && !is_offset_stream(req.header("Content-Type"))) {
      fail(415, "unsupported_media_type", "Unsupported media type",
           "Bytes sent with the creation need Content-Type: application/offset+octet-stream.");
    }
    if (has_body && declared && *declared > *length) {
      fail(413, "upload_too_long", "More bytes than the upload's length",
           "The body is longer than Upload-Length.");
    }
    std::optional<domain::checksum> checksum;
    if (has_body) checksum = parse_checksum_header(req);

    const auto key = std::string(*kind);
    auto work = [&, this](db::connection& c, pqxx::work& tx) -> std::optional<upload_row> {
      auto rows = tx.exec_params(
          "SELECT k.organisation_id, k.status, intake.call_status(c), c.attachment_rules->$2 "
          "FROM intake.cases k JOIN intake.calls c ON c.id = k.call_id WHERE k.id = $1 FOR UPDATE OF k",
          *case_id, key);
      if (rows.empty()) return std::nullopt;
      if (!me.belongs_to(rows[0][0].as<std::string>())) {
        auto e = identity::audit_event(req, stream, "access.denied", "case", *case_id);
        e.detail["reason"] = "not_own_organisation";
        e.detail["route"] = std::string(req.route_name);
        audit::record(c, tx, std::move(e));
        return std::nullopt;
      }
      require_call_open(rows[0][2].as<std::string>());
      if (rows[0][1].as<std::string>() == "withdrawn") {
        fail(409, "case_withdrawn", "Case withdrawn", "A withdrawn case takes no more files.");
      }
      const auto rule = rows[0][3].is_null() ? json() : json::parse(rows[0][3].c_str());
      const auto max_count = rule.is_object() ? rule.value("max_count", 0) : 0;
      if (max_count == 0) {
        fail_with_errors(422, "validation_failed", "Validation failed", "This call takes no files of this kind.",
                         {{"Upload-Metadata/kind", "not_allowed", "This call takes no " + key + " files."}});
      }
      auto used = tx.exec_params1(
          "SELECT count(*), coalesce(sum(length), 0) FROM intake.uploads WHERE case_id = $1 AND kind = $2 "
          "AND (status = 'complete' OR (status = 'receiving' AND expires_at > now()))",
          *case_id, key);
      const auto count = used[0].as<std::int64_t>();
      const auto total = used[1].as<std::uint64_t>();
      if (count >= max_count) {
        fail_with_errors(422, "too_many_attachments", "Too many attachments",
                         "The case already has " + std::to_string(count) + " " + key + " file(s), the most this call takes.",
                         {{"Upload-Metadata/kind", "too_many_attachments",
                           "At most " + std::to_string(max_count) + " " + key + " file(s) per case."}});
      }
      const auto max_file = rule.value("max_file_bytes", std::uint64_t{0});
      if (*length > max_file) {
        fail(413, "file_too_large", "File too large",
             "A " + key + " may have at most " + std::to_string(max_file) + " bytes; this one has " +
                 std::to_string(*length) + ".");
      }
      const auto max_total = rule.value("max_total_bytes", std::uint64_t{0});
      if (total + *length > max_total) {
        fail(413, "attachments_too_large", "Attachments too large",
             "The " + key + " files of a case may have at most " + std::to_string(max_total) + " bytes together; with this one they would have " +
                 std::to_string(total + *length) + ".");
      }
      auto inserted = tx.exec_params1(
          "INSERT INTO intake.uploads (case_id, organisation_id, kind, filename, declared_type, length, created_by, expires_at) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8)) RETURNING id",
          *case_id, me.organisation_id, key, *filename, value("filetype"), static_cast<std::int64_t>(*length), me.user_id,
          static_cast<double>(cfg().expiry.count()));
      const auto id = inserted[0].as<std::string>();
      auto e = identity::audit_event(req, stream, "upload.created", "upload", id);
      e.detail = {{"case_id", *case_id}, {"kind", key}, {"length", *length}};
      audit::record(c, tx, std::move(e));
      spool->create(id);
      return read_row(tx.exec_params1(upload_select, id));
    };
    auto created = co_await db::transact(ctx.db, std::move(work));
    if (!created) not_found();

    response res;
    if (created->length == 0) {
      res = co_await finish(req, *created, store::sha256_state());
      res.status = 201;
    } else if (has_body) {
      hold held(*running, created->id);
      res = co_await receive(req, *created, checksum);
      res.status = 201;
    } else {
      res = response::no_content();
      res.status = 201;
      res.set_header("Upload-Offset", "0");
      res.set_header("Upload-Expires", domain::http_date(created->expires_at));
    }
    res.set_header("Location", "/api/intake/v1/uploads/" + created->id);
    co_return res;
  }

  static std::optional<domain::checksum> parse_checksum_header(const request& req) {
    auto header = req.header("Upload-Checksum");
    if (header.empty()) return std::nullopt;
    domain::checksum out;
    switch (domain::parse_checksum(header, out)) {
      case domain::checksum_error::none:
        return out;
      case domain::checksum_error::unsupported:
        fail(400, "checksum_algorithm_unsupported", "Checksum algorithm not supported",
             "Upload-Checksum takes sha1 or sha256 (Tus-Checksum-Algorithm).");
      case domain::checksum_error::malformed:
        break;
    }
    fail(400, "bad_checksum", "Bad Upload-Checksum",
         "Upload-Checksum is the algorithm, a space, and the base64 digest of the request's body.");
  }

  // HEAD /uploads/{id} (partners of its organisation, administrators): how far it is.
  http::awaitable<response> head(request& req) const {
    require_tus(req);
    const auto id = uuid_param(req, "id");
    auto work = [&](db::connection& c, pqxx::work& tx) { return visible_upload(c, tx, req, id, true); };
    auto u = co_await db::transact(ctx.db, std::move(work));
    if (!u) not_found();
    require_receiving(*u);
    auto res = response::no_content();
    res.status = 200;
    res.set_header("Upload-Offset", std::to_string(u->offset));
    res.set_header("Upload-Length", std::to_string(u->length));
    std::vector<std::pair<std::string, std::string>> metadata = {
        {"case_id", u->case_id}, {"kind", u->kind}, {"filename", u->filename}};
    if (!u->declared_type.empty()) metadata.emplace_back("filetype", u->declared_type);
    res.set_header("Upload-Metadata", domain::format_upload_metadata(metadata));
    if (u->status == "receiving") res.set_header("Upload-Expires", domain::http_date(u->expires_at));
    res.set_header("Cache-Control", "no-store");
    co_return res;
  }

  // PATCH /uploads/{id} (partners of its organisation): the next bytes, at the offset the
  // server holds.
  http::awaitable<response> patch(request& req) const {
    require_tus(req);
    const auto id = uuid_param(req, "id");
    if (!is_offset_stream(req.header("Content-Type"))) {
      fail(415, "unsupported_media_type", "Unsupported media type",
           "A PATCH of an upload sends Content-Type: application/offset+octet-stream.");
    }
    const auto offset = domain::parse_length(req.header("Upload-Offset"));
    if (!offset) fail(400, "bad_upload_offset", "Bad Upload-Offset", "Upload-Offset must give the offset in bytes.");
    const auto checksum = parse_checksum_header(req);
    hold held(*running, id);  // before reading the offset, so that no other PATCH moves it meanwhile
    auto work = [&](db::connection& c, pqxx::work& tx) { return visible_upload(c, tx, req, id, false); };
    auto u = co_await db::transact(ctx.db, std::move(work));
    if (!u) not_found();
    require_receiving(*u);
    require_call_open(u->call_status);
    if (u->case_status == "withdrawn") fail(409, "case_withdrawn", "Case withdrawn", "A withdrawn case takes no more files.");
    if (*offset != u->offset) {
      fail(409, "offset_mismatch", "Offset mismatch",
           "This upload is at offset " + std::to_string(u->offset) + ", not " + std::to_string(*offset) +
               ": ask for the offset (HEAD) and resume from there.");
    }
    if (u->status == "complete") {
      // Already whole: a repeat of the last PATCH gets the same answer.
      auto res = response::no_content();
      res.set_header("Upload-Offset", std::to_string(u->length));
      co_return res;
    }
    if (auto declared = req.body_stream->declared_length(); declared && *declared > u->length - u->offset) {
      fail(413, "upload_too_long", "More bytes than the upload's length",
           "This upload needs " + std::to_string(u->length - u->offset) + " more bytes; the request has " +
               std::to_string(*declared) + ".");
    }
    co_return co_await receive(req, *u, checksum);
  }

  // Takes the request's body at the upload's offset. The caller holds the upload.
  http::awaitable<response> receive(request& req, upload_row u, const std::optional<domain::checksum>& checksum) const {
    const auto path = spool->path_of(u.id);
    store::partial_file file(path);
    if (file.size() < u.offset) {
      // Bytes acknowledged once are missing (the disk lost them): take back the offset.
      const auto actual = file.size();
      auto reset = [&](db::connection&, pqxx::work& tx) {
        tx.exec_params("UPDATE intake.uploads SET \"offset\" = $2 WHERE id = $1 AND status = 'receiving'", u.id,
                       static_cast<std::int64_t>(actual));
      };
      co_await db::transact(ctx.db, std::move(reset));
      running->forget(u.id);
      fail(409, "offset_mismatch", "Offset mismatch",
           "This upload is at offset " + std::to_string(actual) + ": ask for the offset (HEAD) and resume from there.");
    }
    file.truncate(u.offset);  // what was never acknowledged goes

    store::sha256_state hash;
    if (auto known = running->hash_at(u.id, u.offset)) {
      hash = std::move(*known);
    } else {
      auto rehash = [&] { hash = store::sha256_state_of_prefix(path, u.offset); };
      co_await files->run(rehash);
    }

    std::optional<body_digest> digest;
    if (checksum) digest.emplace(checksum->algorithm);
    const std::uint64_t start = u.offset;
    std::uint64_t durable = u.offset;  // acknowledged: on disk and in the database
    std::uint64_t at = u.offset;
    auto last_checkpoint = std::chrono::steady_clock::now();
    bool too_long = false;
    std::vector<char> piece(piece_size);
    auto& body = *req.body_stream;
    for (;;) {
      const auto n = co_await body.read_some(std::span<char>(piece.data(), piece.size()));
      if (n == 0) break;
      if (at + n > u.length) {
        too_long = true;
        break;
      }
      file.append(piece.data(), n);
      hash.update(piece.data(), n);
      if (digest) digest->update(piece.data(), n);
      at += n;
      if (!digest && at - durable >= cfg().checkpoint_bytes && at < u.length &&
          std::chrono::steady_clock::now() - last_checkpoint >= cfg().checkpoint_interval) {
        if (!co_await make_durable(file, u.id, at)) fail(410, "upload_gone", "Upload gone", "This upload ended meanwhile.");
        last_checkpoint = std::chrono::steady_clock::now();
        durable = at;
        running->remember(u.id, at, hash);
      }
    }

    if (too_long || (digest && !body.complete())) {
      // Nothing of this request is taken that was not already made durable: a checksum can
      // only vouch for the whole body.
      file.truncate(durable);
      running->forget(u.id);
      if (too_long) {
        fail(413, "upload_too_long", "More bytes than the upload's length",
             "The body runs past Upload-Length (" + std::to_string(u.length) + ").");
      }
      fail(400, "body_incomplete", "Body incomplete", "The body ended before its end; nothing of it was kept.");
    }
    if (digest && digest->final() != checksum->digest) {
      file.truncate(start);
      fail(460, "checksum_mismatch", "Checksum mismatch",
           "The body's " + checksum->algorithm + " is not the one Upload-Checksum gives; nothing of it was kept. Send it again.");
    }
    if (at > durable) {
      if (!co_await make_durable(file, u.id, at)) fail(410, "upload_gone", "Upload gone", "This upload ended meanwhile.");
      running->remember(u.id, at, hash);
    }
    u.offset = at;
    if (at == u.length) co_return co_await finish(req, u, hash);
    auto res = response::no_content();
    res.set_header("Upload-Offset", std::to_string(at));
    res.set_header("Upload-Expires", domain::http_date(clock::now() + cfg().expiry));
    co_return res;
  }

  // fdatasync, then the offset (and a later expiry) in the database; false when the upload
  // ended meanwhile (terminated, expired).
  http::awaitable<bool> make_durable(store::partial_file& file, const std::string& id, std::uint64_t offset) const {
    auto sync = [&file] { file.sync(); };
    co_await files->run(sync);
    auto work = [&](db::connection&, pqxx::work& tx) {
      auto r = tx.exec_params(
          "UPDATE intake.uploads SET \"offset\" = $2, expires_at = now() + make_interval(secs => $3) "
          "WHERE id = $1 AND status = 'receiving'",
          id, static_cast<std::int64_t>(offset), static_cast<double>(cfg().expiry.count()));
      return r.affected_rows() == 1;
    };
    co_return co_await db::transact(ctx.db, std::move(work));
  }

  // The last byte is in: the content must be of the upload's kind. Then the file moves to the
  // store and becomes an attachment of the case; otherwise its bytes are deleted.
  http::awaitable<response> finish(request& req, const upload_row& u, const store::sha256_state& hash) const {
    const auto path = spool->path_of(u.id);
    const auto sha256 = hash.hex();
    std::string media_type;
    auto sniff = [&] { media_type = store::sniff_media_type(path); };
    co_await files->run(sniff);
    const auto& allowed = domain::media_types_of(u.kind);
    running->forget(u.id);
    if (std::find(allowed.begin(), allowed.end(), media_type) == allowed.end()) {
      auto refuse = [&](db::connection& c, pqxx::work& tx) {
        tx.exec_params("UPDATE intake.uploads SET status = 'refused', ended_at = now() WHERE id = $1 AND status = 'receiving'",
                       u.id);
        auto e = identity::audit_event(req, stream, "upload.refused", "upload", u.id);
        e.detail = {{"kind", u.kind}, {"detected", media_type}, {"sha256", sha256}};
        audit::record(c, tx, std::move(e));
      };
      co_await db::transact(ctx.db, std::move(refuse));
      spool->remove(u.id);
      fail_with_errors(422, "file_type_not_allowed", "File type not allowed",
                       "The file's content is " + media_type + ", which is not " + std::string(domain::describe_kind(u.kind)) +
                           ", whatever its name says. Its bytes were deleted.",
                       {{"content", "file_type_not_allowed", "Detected " + media_type + "."}});
    }
    auto adopt = [&] { blobs->adopt(path, sha256); };
    co_await files->run(adopt);
    auto complete = [&](db::connection& c, pqxx::work& tx) {
      auto r = tx.exec_params(
          "UPDATE intake.uploads SET status = 'complete', \"offset\" = length, sha256 = $2, media_type = $3, "
          "completed_at = now() WHERE id = $1 AND status = 'receiving' RETURNING case_id",
          u.id, sha256, media_type);
      if (r.empty()) return false;
      tx.exec_params("UPDATE intake.cases SET attachments_version = attachments_version + 1 WHERE id = $1", u.case_id);
      auto e = identity::audit_event(req, stream, "attachment.added", "upload", u.id);
      e.detail = {{"case_id", u.case_id}, {"kind", u.kind}, {"media_type", media_type}, {"sha256", sha256}, {"size", u.length}};
      audit::record(c, tx, std::move(e));
      return true;
    };
    if (!co_await db::transact(ctx.db, std::move(complete))) {
      fail(410, "upload_gone", "Upload gone", "This upload ended meanwhile.");
    }
    auto res = response::no_content();
    res.set_header("Upload-Offset", std::to_string(u.length));
    co_return res;
  }

  // DELETE /uploads/{id} (partners of its organisation): termination. An unfinished upload's
  // bytes go; a finished one leaves the case (its bytes stay while a submitted version names
  // them).
  http::awaitable<response> remove(request& req) const {
    require_tus(req);
    const auto id = uuid_param(req, "id");
    hold held(*running, id);
    auto work = [&](db::connection& c, pqxx::work& tx) -> std::optional<std::string> {
      auto u = visible_upload(c, tx, req, id, false);
      if (!u) return std::nullopt;
      require_receiving(*u);
      require_call_open(u->call_status);
      tx.exec_params("UPDATE intake.uploads SET status = 'terminated', ended_at = now() WHERE id = $1", id);
      if (u->status == "complete") {
        tx.exec_params("UPDATE intake.cases SET attachments_version = attachments_version + 1 WHERE id = $1", u->case_id);
      }
      auto e = identity::audit_event(req, stream, u->status == "complete" ? "attachment.removed" : "upload.terminated",
                                     "upload", id);
      e.detail = {{"case_id", u->case_id}, {"kind", u->kind}};
      audit::record(c, tx, std::move(e));
      return u->status;
    };
    auto was = co_await db::transact(ctx.db, std::move(work));
    if (!was) not_found();
    running->forget(id);
    if (*was == "receiving") spool->remove(id);
    co_return response::no_content();
  }

  // GET /attachments/{id} (partners of its organisation, administrators): the file, as a
  // download that no browser renders in our origin. A file removed from its case stays
  // available only while a submitted version of the case names it.
  http::awaitable<response> download(request& req) const {
    const auto id = uuid_param(req, "id");
    auto work = [&](db::connection& c, pqxx::work& tx) -> std::optional<upload_row> {
      auto u = visible_upload(c, tx, req, id, true);
      if (!u || u->sha256.empty()) return std::nullopt;
      if (u->status == "complete") return u;
      // Removed from the case: still there for the submitted versions that name it.
      auto named = tx.exec_params1(
          "SELECT EXISTS (SELECT 1 FROM intake.case_versions v WHERE v.case_id = $1 "
          "AND v.canonical::jsonb -> 'attachments' @> jsonb_build_array(jsonb_build_object('id', $2::text)))",
          u->case_id, id)[0]
                       .as<bool>();
      if (!named) return std::nullopt;
      return u;
    };
    auto u = co_await db::transact(ctx.db, std::move(work));
    if (!u) not_found();
    auto path = blobs->local_path(u->sha256);
    if (!path) {
      log::error("attachment bytes missing", {{"upload_id", id}, {"sha256", u->sha256}});
      not_found();
    }
    response res;
    res.file_path = path->string();
    res.set_header("Content-Type", u->media_type);
    res.set_header("Content-Disposition", domain::content_disposition(u->filename));
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Content-Security-Policy", "sandbox; default-src 'none'");
    res.set_header("Cache-Control", "private, no-cache");
    res.set_header("ETag", "\"" + u->sha256 + "\"");
    co_return res;
  }

  // GET /internal/v1/attachments/{id} (services): the bytes of an attachment that a submitted
  // version of its case names, for review (judges read them there) and publish.
  http::awaitable<response> internal_download(request& req) const {
    const auto id = uuid_param(req, "id");
    auto work = [&](db::connection&, pqxx::work& tx) -> std::optional<std::pair<std::string, std::string>> {
      auto rows = tx.exec_params(
          "SELECT u.sha256, u.media_type FROM intake.uploads u WHERE u.id = $1 AND u.sha256 IS NOT NULL "
          "AND EXISTS (SELECT 1 FROM intake.case_versions v WHERE v.case_id = u.case_id "
          "AND v.canonical::jsonb -> 'attachments' @> jsonb_build_array(jsonb_build_object('id', $1::text)))",
          id);
      if (rows.empty()) return std::nullopt;
      return std::pair{rows[0][0].as<std::string>(), rows[0][1].as<std::string>()};
    };
    auto found = co_await db::transact(ctx.db, std::move(work));
    if (!found) not_found();
    auto path = blobs->local_path(found->first);
    if (!path) {
      log::error("attachment bytes missing", {{"upload_id", id}, {"sha256", found->first}});
      not_found();
    }
    response res;
    res.file_path = path->string();
    res.set_header("Content-Type", found->second);
    res.set_header("ETag", "\"" + found->first + "\"");
    res.set_header("Cache-Control", "no-store");
    co_return res;
  }
};

// Every tus answer, errors included, says the protocol version; a 412 says which we speak.
http::handler tus_handler(std::shared_ptr<api> handlers, http::awaitable<response> (api::*fn)(request&) const) {
  return [handlers, fn](request& req) -> http::awaitable<response> {
    response res;
    try {
      res = co_await ((*handlers).*fn)(req);
    } catch (const http::problem_error& e) {
      res = e.details().to_response(req.request_id);
    }
    set_tus_headers(res);
    if (res.status == 412) res.set_header("Tus-Version", std::string(tus_version));
    co_return res;
  };
}

}  // namespace

void add_upload_routes(http::router& routes, service::context& ctx) {
  const auto& cfg = ctx.config.uploads;
  auto handlers = std::make_shared<api>(api{ctx, std::make_shared<store::directory_blob_store>(cfg.dir),
                                            std::make_shared<store::spool>(cfg.dir),
                                            std::make_shared<http::blocking_pool>(2), std::make_shared<registry>()});
  const std::string p = "/api/intake/v1";
  routes.add({.verb = method::options, .pattern = p + "/uploads", .name = "intake.uploads.options", .who = access::anyone,
              .body_limit = 0},
             tus_handler(handlers, &api::options));
  // Streaming routes read their own bodies; the limit shown is the largest upload.
  routes.add({.verb = method::post, .pattern = p + "/uploads", .name = "intake.uploads.create", .who = access::partner,
              .body_limit = cfg.max_bytes, .streams_body = true},
             tus_handler(handlers, &api::create));
  routes.add({.verb = method::head, .pattern = p + "/uploads/{id}", .name = "intake.uploads.head",
              .who = access::partner | access::admin, .body_limit = 0},
             tus_handler(handlers, &api::head));
  routes.add({.verb = method::patch, .pattern = p + "/uploads/{id}", .name = "intake.uploads.patch", .who = access::partner,
              .body_limit = cfg.max_bytes, .streams_body = true},
             tus_handler(handlers, &api::patch));
  routes.add({.verb = method::delete_, .pattern = p + "/uploads/{id}", .name = "intake.uploads.delete",
              .who = access::partner, .body_limit = 0},
             tus_handler(handlers, &api::remove));
  routes.add({.verb = method::get, .pattern = p + "/attachments/{id}", .name = "intake.attachments.download",
              .who = access::partner | access::admin, .body_limit = 0},
             [handlers](request& req) { return handlers->download(req); });
  routes.add({.verb = method::get, .pattern = "/internal/v1/attachments/{id}", .name = "intake.internal.attachments.get",
              .who = access::service, .body_limit = 0},
             [handlers](request& req) { return handlers->internal_download(req); });
}

namespace {

// Expires unfinished uploads whose time ran out, a batch at a time, and deletes their bytes.
class sweeper {
 public:
  sweeper(const service::upload_config& cfg, db::pool_config db)
      : spool_(cfg.dir),
        interval_(std::chrono::duration<double>(cfg.sweep_interval).count()),
        worker_({.name = "upload sweeper",
                 .channel = "intake_upload_sweep",
                 .step = [this](pqxx::connection& c) { return step(c); },
                 .seconds_until_due =
                     [this](pqxx::connection& c) {
                       pqxx::nontransaction q(c);
                       auto due = q.exec1("SELECT coalesce(extract(epoch FROM min(expires_at) - now()), 1e9) "
                                          "FROM intake.uploads WHERE status = 'receiving'")[0]
                                      .as<double>();
                       return std::clamp(due, 0.01, interval_);
                     }},
                std::move(db)) {}

  void start() { worker_.start(); }
  void stop() { worker_.stop(); }

 private:
  db::outbox_worker::outcome step(pqxx::connection& raw) {
    pqxx::work tx(raw);
    auto rows = tx.exec(
        "UPDATE intake.uploads SET status = 'expired', ended_at = now() WHERE id IN ("
        "SELECT id FROM intake.uploads WHERE status = 'receiving' AND expires_at <= now() "
        "ORDER BY expires_at LIMIT 100 FOR UPDATE SKIP LOCKED) RETURNING id, case_id");
    if (rows.empty()) return db::outbox_worker::outcome::none;
    db::connection c(raw);
    std::vector<std::string> ids;
    for (const auto& r : rows) {
      audit::event e;
      e.stream = stream;
      e.actor_kind = "system";
      e.actor_id = "upload-sweeper";
      e.action = "upload.expired";
      e.object_type = "upload";
      e.object_id = r[0].as<std::string>();
      e.detail = {{"case_id", r[1].as<std::string>()}};
      audit::record(c, tx, e);
      ids.push_back(e.object_id);
    }
    tx.commit();
    for (const auto& id : ids) spool_.remove(id);
    log::info("uploads expired", {{"count", ids.size()}});
    return db::outbox_worker::outcome::done;
  }

  store::spool spool_;
  double interval_;
  db::outbox_worker worker_;
};

}  // namespace

std::shared_ptr<void> start_upload_sweeper(service::context& ctx) {
  auto s = std::make_shared<sweeper>(ctx.config.uploads, ctx.config.db);
  s->start();
  return std::shared_ptr<void>(s.get(), [s](void*) mutable { s->stop(); });
}

}  // namespace casecall::intake
