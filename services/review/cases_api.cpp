// PUT /internal/v1/cases/{id}: intake hands over a submission or a withdrawal. Idempotent by
// (number, event): a withdrawal outranks the submission of the same number, a later number
// outranks an earlier one, and anything else is a repeat that changes nothing.
#include "review/cases_api.hpp"

#include "audit/audit.hpp"
#include "db/await.hpp"
#include "http/handler_util.hpp"
#include "http/problem.hpp"
#include "identity/identity.hpp"

namespace casecall::review {

namespace {

using json = nlohmann::json;

// Orders deliveries: later numbers first, and a withdrawal after the submission it ends.
int rank(int number, const std::string& event) { return number * 2 + (event == "withdrawn" ? 1 : 0); }

}  // namespace

void add_case_routes(http::router& routes, service::context& ctx, const http::schema_set& schemas) {
  routes.add(
      {.verb = http::method::put,
       .pattern = "/internal/v1/cases/{id}",
       .name = "review.internal.cases.put",
       .who = http::access::service,
       .body_limit = 4 * 1024 * 1024},
      [&ctx, &schemas](http::request& req) -> http::awaitable<http::response> {
        const auto id = http::uuid_param(req, "id");
        auto in = http::parse_json_body(req, schemas.at("review-case-request.json"));
        const auto event = in["event"].get<std::string>();
        const auto number = in["number"].get<int>();
        if (event == "submitted" && !(in.contains("content") && in.contains("sha256") && in.contains("organisation_id"))) {
          throw http::problem_error(http::problems::validation_failed(
              {{"/content", "missing", "A submission comes with its content, sha256 and organisation_id."}}));
        }
        auto work = [&](db::connection& c, pqxx::work& tx) -> json {
          auto rows = tx.exec_params("SELECT number, status FROM review.cases WHERE case_id = $1 FOR UPDATE", id);
          bool applied = false;
          if (rows.empty()) {
            const auto& content = in.value("content", json::object());
            tx.exec_params(
                "INSERT INTO review.cases (case_id, call_id, organisation_id, reference, number, status, content, sha256) "
                "VALUES ($1, $2::uuid, $3::uuid, $4, $5, $6, $7::jsonb, $8)",
                id, content.contains("call_id") ? std::optional(content["call_id"].get<std::string>()) : std::nullopt,
                in.contains("organisation_id") ? std::optional(in["organisation_id"].get<std::string>()) : std::nullopt,
                content.contains("reference") ? std::optional(content["reference"].get<std::string>()) : std::nullopt,
                number, event, in.contains("content") ? std::optional(content.dump()) : std::nullopt,
                in.contains("sha256") ? std::optional(in["sha256"].get<std::string>()) : std::nullopt);
            applied = true;
          } else if (rank(number, event) > rank(rows[0][0].as<int>(), rows[0][1].as<std::string>())) {
            if (event == "submitted") {
              const auto& content = in["content"];
              tx.exec_params(
                  "UPDATE review.cases SET number = $2, status = 'submitted', content = $3::jsonb, sha256 = $4, "
                  "reference = coalesce($5, reference), updated_at = now(), deliveries = deliveries + 1 WHERE case_id = $1",
                  id, number, content.dump(), in["sha256"].get<std::string>(),
                  content.contains("reference") ? std::optional(content["reference"].get<std::string>()) : std::nullopt);
            } else {
              tx.exec_params(
                  "UPDATE review.cases SET number = $2, status = 'withdrawn', updated_at = now(), "
                  "deliveries = deliveries + 1 WHERE case_id = $1",
                  id, number);
            }
            applied = true;
          } else {
            tx.exec_params("UPDATE review.cases SET repeats = repeats + 1 WHERE case_id = $1", id);
          }
          if (applied) {
            auto e = identity::audit_event(req, "review", event == "submitted" ? "case.received" : "case.withdrawn", "case", id);
            e.detail = {{"number", number}};
            if (in.contains("sha256")) e.detail["sha256"] = in["sha256"];
            audit::record(c, tx, e);
          }
          auto now = tx.exec_params1("SELECT number, status FROM review.cases WHERE case_id = $1", id);
          return {{"case_id", id}, {"number", now[0].as<int>()}, {"status", now[1].as<std::string>()}, {"applied", applied}};
        };
        co_return http::response::json(co_await db::transact(ctx.db, std::move(work)));
      });
}

}  // namespace casecall::review
