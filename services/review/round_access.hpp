// What the review handlers ask of the database the same way: a round and whether it is open,
// whether a case is in it, who is in conflict with what and why, whether a caller may reach a
// case (a judge only through an assignment and never across a conflict: 404 otherwise), and
// a case's content as that caller may see it (anonymised for judges of anonymous rounds).
#pragma once

#include "identity/identity.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace casecall::review {

struct round_row {
  std::string id;
  std::string call_id;
  std::string kind;   // screening, scoring, final
  std::string blind;  // open, anonymous
  std::string status; // open, closed
  int version = 1;
  bool open() const { return status == "open"; }
};

// The round, or 404. `lock` takes it FOR UPDATE: changes to a round's work serialise on it.
round_row require_round(pqxx::work& tx, const std::string& id, bool lock = false);
// 409 `round_closed` once the round is closed.
void require_open(const round_row& r);
bool case_in_round(pqxx::work& tx, const std::string& round_id, const std::string& case_id);

struct conflict {
  std::string case_id;
  std::string user_id;
  std::string kind;    // organisation, declared
  std::string reason;  // for the administrator
};

// The reason a judge may not review a case, declared conflicts first; none when they may.
std::optional<conflict> conflict_between(pqxx::work& tx, const std::string& case_id, const std::string& user_id);

// Every conflict between the given judges and the round's cases, by case then judge.
std::vector<conflict> round_conflicts(pqxx::work& tx, const std::string& round_id, const std::vector<std::string>& user_ids);

// The caller may reach the case in the round: an administrator when the case is in the round
// or assigned in it; a judge when it is assigned to them, not withdrawn, and no conflict
// stands. 404 otherwise.
void require_case_access(pqxx::work& tx, const round_row& r, const std::string& case_id, const identity::principal& me);

// What a route under /rounds/{id}/cases/{case_id} starts from: the ids in its path (404 for
// anything but UUIDs) and the caller.
struct case_route {
  std::string id;  // the round's
  std::string case_id;
  const identity::principal& me;
  explicit case_route(const http::request& req);
  // The round, once the caller may reach the case in it (require_case_access); `lock` as for
  // require_round.
  round_row enter(pqxx::work& tx, bool lock = false) const;
};

// The case's submitted content as `me` may see it: judges of an anonymous round get it
// anonymised (domain/anonymise.hpp) with the submitting organisation's names and website
// and its members' names.
nlohmann::json visible_content(pqxx::work& tx, const round_row& r, const std::string& case_id, const nlohmann::json& content,
                               const identity::principal& me);

// The round's current rubric (version, definition), or none (screening and final rounds).
std::optional<std::pair<int, nlohmann::json>> current_rubric(pqxx::work& tx, const std::string& round_id);

// The judge's review status of the case in the round: none, draft or submitted.
std::string review_status(pqxx::work& tx, const std::string& round_id, const std::string& case_id, const std::string& user_id);

// RFC 3339 UTC with milliseconds, as every timestamp in the API.
inline constexpr const char* iso_time = "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'";

}  // namespace casecall::review
