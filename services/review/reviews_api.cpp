#include "review/reviews_api.hpp"

#include "audit/audit.hpp"
#include "db/await.hpp"
#include "db/json_rows.hpp"
#include "http/handler_util.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"
#include "http/blocking.hpp"
#include "identity/crypto.hpp"
#include "identity/identity.hpp"
#include "log/log.hpp"
#include "review/domain/rubric.hpp"
#include "service/peer.hpp"

#include <filesystem>
#include <map>
#include "review/round_access.hpp"

namespace casecall::review {

namespace {

using json = nlohmann::json;
using http::access;
using http::invalid;
using http::method;
using http::request;
using http::response;

const std::string stream = "review";
const char* const attachments_notice =
    "The attachments' own content is the submitter's responsibility; it may name them.";

constexpr const char* review_columns =
    "SELECT jsonb_build_object('round_id', r.round_id, 'case_id', r.case_id, 'user_id', r.user_id, "
    "'review_status', r.status, 'version', r.version, 'rubric_version', r.rubric_version, 'scores', r.scores, "
    "'confidence', r.confidence, 'comment_to_panel', r.comment_to_panel, 'comment_to_submitter', r.comment_to_submitter, "
    "'eligible', r.eligible, 'reason', r.reason, "
    "'updated_at', to_char(r.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
    "'submitted_at', to_char(r.submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
    "'judge_name', coalesce(u.name, ''))::text "
    "FROM review.reviews r LEFT JOIN identity.users u ON u.id = r.user_id ";

// A review as the API shows it, with its weighted score when complete.
json review_json(const json& row, const std::optional<std::pair<int, json>>& rubric) {
  auto out = row;
  out["weighted"] = nullptr;
  if (rubric && out["rubric_version"] == rubric->first) {
    const auto parsed = domain::parse_rubric(rubric->second);
    if (domain::check_scores(parsed, out["scores"], true, "").empty()) {
      out["weighted"] = domain::weighted_score(parsed, out["scores"]);
    }
  }
  return out;
}

json empty_review(const std::string& round_id, const std::string& case_id, const std::string& user_id) {
  return {{"round_id", round_id},  {"case_id", case_id},           {"user_id", user_id},
          {"review_status", "none"}, {"version", 0},               {"rubric_version", nullptr},
          {"scores", json::object()}, {"weighted", nullptr},       {"confidence", nullptr},
          {"comment_to_panel", ""},  {"comment_to_submitter", ""}, {"eligible", nullptr},
          {"reason", nullptr},       {"updated_at", nullptr},      {"submitted_at", nullptr}};
}

std::optional<json> stored_review(pqxx::work& tx, const std::string& round_id, const std::string& case_id,
                                  const std::string& user_id, bool lock = false) {
  auto rows = tx.exec_params(std::string(review_columns) + "WHERE r.round_id = $1 AND r.case_id = $2 AND r.user_id = $3" +
                                 (lock ? " FOR UPDATE OF r" : ""),
                             round_id, case_id, user_id);
  if (rows.empty()) return std::nullopt;
  auto out = json::parse(rows[0][0].c_str());
  out.erase("judge_name");
  return out;
}

response review_response(const json& review, unsigned status = 200) {
  auto res = response::json(review, status);
  if (review["version"].get<int>() > 0) res.set_header("ETag", http::etag(review["version"].get<int>()));
  return res;
}

// What a complete review of this round still lacks, as field errors.
std::vector<http::field_error> incomplete(const round_row& r, const std::optional<std::pair<int, json>>& rubric, const json& review) {
  if (r.kind == "scoring") {
    return domain::check_scores(domain::parse_rubric(rubric->second), review["scores"], true, "/scores");
  }
  std::vector<http::field_error> errors;
  if (review["eligible"].is_null()) errors.push_back({"/eligible", "missing", "Say whether the case is eligible."});
  if (review["eligible"] == false && (review["reason"].is_null() || review["reason"].get<std::string>().empty())) {
    errors.push_back({"/reason", "missing", "Give the reason the case is not eligible."});
  }
  return errors;
}

// A neutral file name for an attachment: the case's reference, the kind and its place, with
// the extension of its type; the name it was uploaded with may name the submitter.
std::string neutral_filename(const std::string& reference, const json& entry, std::size_t index) {
  static const std::map<std::string, std::string> extensions = {
      {"image/jpeg", ".jpg"}, {"image/png", ".png"}, {"image/webp", ".webp"}, {"application/pdf", ".pdf"},
      {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"},
      {"video/mp4", ".mp4"}, {"video/webm", ".webm"}};
  auto ext = extensions.find(entry.value("media_type", ""));
  return reference + "-" + entry.value("kind", "file") + "-" + std::to_string(index + 1) +
         (ext == extensions.end() ? ".bin" : ext->second);
}

struct api {
  service::context& ctx;
  const http::schema_set& schemas;
  std::shared_ptr<http::blocking_pool> blocking = std::make_shared<http::blocking_pool>(2);

  // GET /rounds/{id}/cases/{case_id}/attachments/{attachment_id} (the case's judges,
  // administrators): the file, fetched from intake, under a neutral name.
  http::awaitable<response> attachment(request& req) const {
    const case_route at(req);
    const auto& [id, case_id, me] = at;
    const auto attachment_id = http::uuid_param(req, "attachment_id");
    auto work = [&](db::connection&, pqxx::work& tx) -> std::pair<json, std::string> {
      const auto r = at.enter(tx);
      auto row = tx.exec_params1("SELECT coalesce(reference, case_id::text), content::text FROM review.cases WHERE case_id = $1",
                                 case_id);
      const auto content = json::parse(row[1].c_str());
      const auto& files = content.value("attachments", json::array());
      for (std::size_t i = 0; i < files.size(); ++i) {
        if (files[i].value("id", "") == attachment_id) {
          return {files[i], neutral_filename(row[0].as<std::string>(), files[i], i)};
        }
      }
      http::not_found();
    };
    auto [entry, filename] = co_await db::transact(ctx.db, std::move(work));
    const auto path = (std::filesystem::temp_directory_path() / ("casecall-review-" + identity::random_token())).string();
    const auto url = ctx.config.auth.intake_url + "/internal/v1/attachments/" + attachment_id;
    const auto token = ctx.config.auth.service_token;
    service::peer_response got;
    auto fetch = [&got, url, token, path] { got = service::get_to_file(url, token, path); };
    co_await blocking->run(fetch);
    if (got.status != 200) {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
      log::error("attachment not fetched from intake",
                 {{"attachment_id", attachment_id}, {"status", got.status}, {"error", got.error}, {"body", got.body.substr(0, 300)}});
      http::fail(502, "attachment_unavailable", "Attachment unavailable",
                 "The attachment could not be fetched from intake just now; try again.");
    }
    response res;
    res.file_path = path;
    res.remove_file = true;
    res.set_header("Content-Type", entry.value("media_type", "application/octet-stream"));
    res.set_header("Content-Disposition", "attachment; filename=\"" + filename + "\"");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Content-Security-Policy", "sandbox; default-src 'none'");
    res.set_header("Cache-Control", "private, no-store");
    if (entry.contains("sha256")) res.set_header("ETag", "\"" + entry["sha256"].get<std::string>() + "\"");
    co_return res;
  }

  // GET /my/assignments (judges): every case assigned to me, with my progress.
  http::awaitable<response> mine(request& req) const {
    const auto& me = identity::caller(req);
    auto work = [&](db::connection&, pqxx::work& tx) {
      json items = json::array();
      int submitted = 0;
      for (const auto& row : tx.exec_params(
               "SELECT a.round_id, a.case_id, c.reference, c.content::text, coalesce(v.status, 'none'), "
               "(SELECT count(*) FROM jsonb_object_keys(coalesce(v.scores, '{}'))), "
               "coalesce((SELECT jsonb_array_length(b.definition->'criteria') FROM review.rubrics b WHERE b.round_id = a.round_id "
               "ORDER BY b.version DESC LIMIT 1), 0) "
               "FROM review.assignments a JOIN review.cases c ON c.case_id = a.case_id JOIN review.rounds r ON r.id = a.round_id "
               "LEFT JOIN review.reviews v ON (v.round_id, v.case_id, v.user_id) = (a.round_id, a.case_id, a.user_id) "
               "WHERE a.user_id = $1 AND c.status = 'submitted' ORDER BY r.created_at, c.reference, a.case_id",
               me.user_id)) {
        const auto round_id = row[0].as<std::string>();
        const auto case_id = row[1].as<std::string>();
        if (conflict_between(tx, case_id, me.user_id)) continue;
        const auto r = require_round(tx, round_id);
        const auto content = visible_content(tx, r, case_id, json::parse(row[3].c_str()), me);
        const auto& answers = content.value("answers", json::object());
        const auto status = row[4].as<std::string>();
        if (status == "submitted") ++submitted;
        items.push_back({{"round_id", round_id},
                         {"call_id", r.call_id},
                         {"round_kind", r.kind},
                         {"round_status", r.status},
                         {"blind", r.blind},
                         {"case_id", case_id},
                         {"reference", row[2].is_null() ? json(nullptr) : json(row[2].as<std::string>())},
                         {"title", answers.contains("title") ? answers["title"] : json(nullptr)},
                         {"review_status", status},
                         {"scored", row[5].as<int>()},
                         {"criteria", row[6].as<int>()}});
      }
      return json{{"items", items}, {"total", items.size()}, {"submitted", submitted}};
    };
    co_return response::json(co_await db::transact(ctx.db, std::move(work)));
  }

  // GET /rounds/{id}/cases/{case_id} (the case's judges, administrators)
  http::awaitable<response> read_case(request& req) const {
    const case_route at(req);
    const auto& [id, case_id, me] = at;
    auto work = [&](db::connection&, pqxx::work& tx) {
      const auto r = at.enter(tx);
      auto row = tx.exec_params1("SELECT reference, number, sha256, content::text, organisation_id FROM review.cases WHERE case_id = $1",
                                 case_id);
      json files = json::array();
      const auto reference = row[0].is_null() ? case_id : row[0].as<std::string>();
      const auto submitted = json::parse(row[3].c_str());
      const auto& listed = submitted.value("attachments", json::array());
      for (std::size_t i = 0; i < listed.size(); ++i) {
        const auto aid = listed[i].value("id", "");
        files.push_back({{"id", aid},
                         {"kind", listed[i].value("kind", "")},
                         {"media_type", listed[i].value("media_type", "")},
                         {"size", listed[i].value("size", 0)},
                         {"sha256", listed[i].value("sha256", "")},
                         {"filename", neutral_filename(reference, listed[i], i)},
                         {"download_url", "/api/review/v1/rounds/" + id + "/cases/" + case_id + "/attachments/" + aid}});
      }
      json out = {{"case_id", case_id},
                  {"round_id", id},
                  {"attachments", files},
                  {"reference", row[0].is_null() ? json(nullptr) : json(row[0].as<std::string>())},
                  {"number", row[1].as<int>()},
                  {"sha256", row[2].is_null() ? "" : row[2].as<std::string>()},
                  {"blind", r.blind},
                  {"content", visible_content(tx, r, case_id, submitted, me)},
                  {"attachments_notice", attachments_notice}};
      if ((me.is_admin() || r.blind == "open") && !row[4].is_null()) out["organisation_id"] = row[4].as<std::string>();
      return out;
    };
    co_return response::json(co_await db::transact(ctx.db, std::move(work)));
  }

  // GET /rounds/{id}/cases/{case_id}/review (the judge): my review of the case.
  http::awaitable<response> my_review(request& req) const {
    const case_route at(req);
    const auto& [id, case_id, me] = at;
    auto work = [&](db::connection&, pqxx::work& tx) {
      const auto r = at.enter(tx);
      auto stored = stored_review(tx, id, case_id, me.user_id);
      return stored ? review_json(*stored, current_rubric(tx, id)) : empty_review(id, case_id, me.user_id);
    };
    co_return review_response(co_await db::transact(ctx.db, std::move(work)));
  }

  // PUT /rounds/{id}/cases/{case_id}/review (the judge): saves a draft, or revises a submitted
  // review (which must stay complete).
  http::awaitable<response> save(request& req) const {
    const case_route at(req);
    const auto& [id, case_id, me] = at;
    std::optional<int> expected;
    if (!req.header("If-Match").empty()) expected = http::if_match_version(req);
    auto in = http::parse_json_body(req, schemas.at("review-request.json"));
    auto work = [&](db::connection& c, pqxx::work& tx) {
      const auto r = at.enter(tx, true);
      require_open(r);
      if (r.kind == "final") {
        http::fail(409, "not_reviewed_in_round", "No reviews in this round",
                   "A final round is decided by the panel's discussion; it takes no reviews.");
      }
      const auto rubric = current_rubric(tx, id);
      std::vector<http::field_error> errors;
      auto not_here = [&](const char* field, const char* why) {
        if (in.contains(field)) errors.push_back({std::string("/") + field, "not_allowed", why});
      };
      if (r.kind == "scoring") {
        not_here("eligible", "Eligibility is judged in the screening round.");
        not_here("reason", "Eligibility is judged in the screening round.");
        if (in.contains("confidence") && !domain::parse_rubric(rubric->second).confidence) {
          errors.push_back({"/confidence", "not_allowed", "This round's rubric does not ask for confidence."});
        }
      } else {
        not_here("scores", "A screening round takes no scores.");
        not_here("confidence", "A screening round takes no confidence.");
      }
      auto stored = stored_review(tx, id, case_id, me.user_id, true);
      if (stored) {
        http::check_version(expected, (*stored)["version"].get<int>(), "review");
      } else if (expected && *expected != 0) {
        http::check_version(expected, 0, "review");
      }
      auto review = stored ? *stored : empty_review(id, case_id, me.user_id);
      if (in.contains("scores") && rubric) {
        // The new scores replace the old ones, as a form's fields do.
        auto found = domain::check_scores(domain::parse_rubric(rubric->second), in["scores"], false, "/scores");
        errors.insert(errors.end(), found.begin(), found.end());
        review["scores"] = in["scores"];
      }
      if (!errors.empty()) invalid(std::move(errors));
      for (const char* field : {"confidence", "comment_to_panel", "comment_to_submitter", "eligible", "reason"}) {
        if (in.contains(field)) review[field] = in[field];
      }
      const bool submitted = review["review_status"] == "submitted";
      if (errors.empty() && submitted) errors = incomplete(r, rubric, review);
      if (!errors.empty()) invalid(std::move(errors));
      tx.exec_params(
          "INSERT INTO review.reviews (round_id, case_id, user_id, rubric_version, scores, confidence, comment_to_panel, "
          "comment_to_submitter, eligible, reason) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10) "
          "ON CONFLICT (round_id, case_id, user_id) DO UPDATE SET rubric_version = EXCLUDED.rubric_version, "
          "scores = EXCLUDED.scores, confidence = EXCLUDED.confidence, comment_to_panel = EXCLUDED.comment_to_panel, "
          "comment_to_submitter = EXCLUDED.comment_to_submitter, eligible = EXCLUDED.eligible, reason = EXCLUDED.reason, "
          "version = review.reviews.version + 1, updated_at = now()",
          id, case_id, me.user_id, rubric ? std::optional(rubric->first) : std::nullopt, review["scores"].dump(),
          review["confidence"].is_null() ? std::nullopt : std::optional(review["confidence"].get<int>()),
          review["comment_to_panel"].get<std::string>(), review["comment_to_submitter"].get<std::string>(),
          review["eligible"].is_null() ? std::nullopt : std::optional(review["eligible"].get<bool>()),
          review["reason"].is_null() ? std::nullopt : std::optional(review["reason"].get<std::string>()));
      auto e = identity::audit_event(req, stream, submitted ? "review.revised" : "review.saved", "case", case_id);
      e.detail = {{"round_id", id}, {"user_id", me.user_id}};
      e.after = {{"scores", review["scores"]}, {"confidence", review["confidence"]}, {"eligible", review["eligible"]}};
      audit::record(c, tx, std::move(e));
      return review_json(*stored_review(tx, id, case_id, me.user_id), rubric);
    };
    co_return review_response(co_await db::transact(ctx.db, std::move(work)));
  }

  // POST /rounds/{id}/cases/{case_id}/review/submit (the judge)
  http::awaitable<response> submit(request& req) const {
    const case_route at(req);
    const auto& [id, case_id, me] = at;
    auto work = [&](db::connection& c, pqxx::work& tx) {
      const auto r = at.enter(tx, true);
      require_open(r);
      if (r.kind == "final") {
        http::fail(409, "not_reviewed_in_round", "No reviews in this round",
                   "A final round is decided by the panel's discussion; it takes no reviews.");
      }
      const auto rubric = current_rubric(tx, id);
      auto stored = stored_review(tx, id, case_id, me.user_id, true);
      // Scores saved under an earlier version of the rubric are checked against the current one.
      auto errors = incomplete(r, rubric, stored ? *stored : empty_review(id, case_id, me.user_id));
      if (!errors.empty() || !stored) invalid(std::move(errors));
      const auto& review = *stored;
      if (review["review_status"] != "submitted") {
        tx.exec_params(
            "UPDATE review.reviews SET status = 'submitted', submitted_at = now(), updated_at = now(), version = version + 1, "
            "rubric_version = $4 WHERE round_id = $1 AND case_id = $2 AND user_id = $3",
            id, case_id, me.user_id, rubric ? std::optional(rubric->first) : std::nullopt);
        auto e = identity::audit_event(req, stream, "review.submitted", "case", case_id);
        e.detail = {{"round_id", id}, {"user_id", me.user_id}};
        audit::record(c, tx, std::move(e));
      }
      return review_json(*stored_review(tx, id, case_id, me.user_id), rubric);
    };
    co_return review_response(co_await db::transact(ctx.db, std::move(work)));
  }

  // A judge sees the panel's work on a case only once their own review is in (no anchoring);
  // in a final round at once. Administrators always.
  static void require_own_review_first(pqxx::work& tx, const round_row& r, const std::string& case_id,
                                       const identity::principal& me) {
    if (me.is_admin() || r.kind == "final") return;
    if (review_status(tx, r.id, case_id, me.user_id) != "submitted") {
      http::fail(409, "own_review_first", "Your review first",
                 "The panel's reviews and discussion of a case open to you once you have submitted your own review of it.");
    }
  }

  // GET /rounds/{id}/cases/{case_id}/reviews
  http::awaitable<response> reviews(request& req) const {
    const case_route at(req);
    const auto& [id, case_id, me] = at;
    auto work = [&](db::connection&, pqxx::work& tx) {
      const auto r = at.enter(tx);
      require_own_review_first(tx, r, case_id, me);
      const auto rubric = current_rubric(tx, id);
      json items = json::array();
      for (const auto& row : tx.exec_params(std::string(review_columns) +
                                                "WHERE r.round_id = $1 AND r.case_id = $2 AND r.status = 'submitted' "
                                                "ORDER BY r.submitted_at, r.user_id",
                                            id, case_id)) {
        items.push_back(review_json(json::parse(row[0].c_str()), rubric));
      }
      return items;
    };
    auto items = co_await db::transact(ctx.db, std::move(work));
    co_return response::json({{"items", items}});
  }

  static constexpr const char* post_query =
      "SELECT jsonb_build_object('id', p.id, 'user_id', p.user_id, 'author_name', coalesce(u.name, ''), 'body', p.body, "
      "'created_at', to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))::text "
      "FROM review.discussion_posts p LEFT JOIN identity.users u ON u.id = p.user_id ";

  // GET /rounds/{id}/cases/{case_id}/discussion
  http::awaitable<response> discussion(request& req) const {
    const case_route at(req);
    const auto& [id, case_id, me] = at;
    auto work = [&](db::connection&, pqxx::work& tx) {
      const auto r = at.enter(tx);
      require_own_review_first(tx, r, case_id, me);
      return db::json_items(tx.exec_params(std::string(post_query) + "WHERE p.round_id = $1 AND p.case_id = $2 ORDER BY p.created_at, p.id",
                                           id, case_id));
    };
    auto items = co_await db::transact(ctx.db, std::move(work));
    co_return response::json({{"items", items}});
  }

  // POST /rounds/{id}/cases/{case_id}/discussion
  http::awaitable<response> post(request& req) const {
    const case_route at(req);
    const auto& [id, case_id, me] = at;
    auto in = http::parse_json_body(req, schemas.at("discussion-post-request.json"));
    auto work = [&](db::connection& c, pqxx::work& tx) {
      const auto r = at.enter(tx);
      require_open(r);
      require_own_review_first(tx, r, case_id, me);
      const auto post_id = tx.exec_params1(
          "INSERT INTO review.discussion_posts (round_id, case_id, user_id, body) VALUES ($1, $2, $3, $4) RETURNING id", id,
          case_id, me.user_id, in["body"].get<std::string>())[0].as<std::string>();
      auto e = identity::audit_event(req, stream, "discussion.posted", "case", case_id);
      e.detail = {{"round_id", id}, {"post_id", post_id}};
      audit::record(c, tx, std::move(e));
      return json::parse(tx.exec_params1(std::string(post_query) + "WHERE p.id = $1", post_id)[0].c_str());
    };
    co_return response::json(co_await db::transact(ctx.db, std::move(work)), 201);
  }
};

}  // namespace

void add_review_routes(http::router& routes, service::context& ctx, const http::schema_set& schemas) {
  auto add = http::route_adder(routes, std::make_shared<api>(api{ctx, schemas}));
  const std::string p = "/api/review/v1";
  const std::string c = p + "/rounds/{id}/cases/{case_id}";
  const auto judge_or_admin = access::judge | access::admin;
  add(method::get, p + "/my/assignments", "review.my_assignments.list", access::judge, &api::mine, 0);
  add(method::get, c, "review.round_cases.get", judge_or_admin, &api::read_case, 0);
  add(method::get, c + "/review", "review.reviews.mine.get", access::judge, &api::my_review, 0);
  add(method::put, c + "/review", "review.reviews.mine.put", access::judge, &api::save, 64 * 1024);
  add(method::post, c + "/review/submit", "review.reviews.mine.submit", access::judge, &api::submit, 0);
  add(method::get, c + "/reviews", "review.reviews.list", judge_or_admin, &api::reviews, 0);
  add(method::get, c + "/attachments/{attachment_id}", "review.attachments.get", judge_or_admin, &api::attachment, 0);
  add(method::get, c + "/discussion", "review.discussion.list", judge_or_admin, &api::discussion, 0);
  add(method::post, c + "/discussion", "review.discussion.post", judge_or_admin, &api::post, 64 * 1024);
}

}  // namespace casecall::review
