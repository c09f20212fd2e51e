// An intake service on a scratch database with a real SMTP server (deploy/local/smtp-sink)
// receiving its mail, and the steps tests take through it: register and verify by the link
// in the mail, sign in, invite, create an administrator with the shipped command.
#pragma once

#include "environment.hpp"
#include "http_client.hpp"
#include "process.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace casecall::testing {

struct mail_message {
  std::string path;
  std::string to;       // the To header
  std::string subject;  // decoded
  std::map<std::string, std::string> headers;
  std::string body;     // decoded text
  std::string link;     // the first http(s) link in the body
  std::string token;    // the #token= part of that link
};

struct api_response {
  unsigned status = 0;
  nlohmann::json body;  // null when the body is not JSON
  http_response raw;
  std::string code() const { return body.is_object() ? body.value("code", std::string()) : std::string(); }
  // The problem's `errors` as "<field> <code>" lines, in order.
  std::vector<std::string> field_errors() const;
};

// A signed-in browser: its cookie and the CSRF token of its session.
struct session {
  std::string cookie;  // "casecall_session=..."
  std::string csrf;
  nlohmann::json user;
};

class intake_stack {
 public:
  // With `linked_review`, intake hands submissions to the review service of call_review()
  // (through its outbox, with a service token), as in production.
  explicit intake_stack(std::map<std::string, std::string> env = {}, bool linked_review = false);
  // The token intake presents to review when linked; review trusts it as the service "intake".
  static std::string review_link_token() { return "intake-to-review-token-for-tests-0123456789"; }

  std::uint16_t port() const { return intake_->port(); }
  child_process& intake_process() { return intake_->process(); }
  // kill -9 of the intake process, then a new one on the same database and upload folder
  // (on another port).
  void kill_and_restart_intake();
  const std::string& upload_dir() const { return intake_->env().at("CASECALL_UPLOAD_DIR"); }
  const std::string& database() const { return db_.name(); }
  std::string intake_role_url() const { return db_.url("casecall_intake"); }

  // One request; `credentials` adds the session's cookie and (for writes) its CSRF token.
  api_response call(const std::string& method, const std::string& target,
                    const std::optional<nlohmann::json>& body = std::nullopt, const session* credentials = nullptr,
                    std::vector<std::pair<std::string, std::string>> headers = {});
  api_response call_raw(const std::string& method, const std::string& target, const std::string& body,
                        std::vector<std::pair<std::string, std::string>> headers);
  // The same to the review service on the same database (started on first use): sessions made
  // through intake sign in there too.
  api_response call_review(const std::string& method, const std::string& target,
                           const std::optional<nlohmann::json>& body = std::nullopt, const session* credentials = nullptr,
                           std::vector<std::pair<std::string, std::string>> headers = {});
  // The same to the publish service (started on first use, after review: linked stacks only).
  api_response call_publish(const std::string& method, const std::string& target,
                            const std::optional<nlohmann::json>& body = std::nullopt, const session* credentials = nullptr,
                            std::vector<std::pair<std::string, std::string>> headers = {});

  // The n-th mail the SMTP server received (1-based), waiting for it to arrive.
  mail_message mail(int n);
  int mails_expected() const { return mails_seen_; }
  mail_message next_mail() { return mail(++mails_seen_); }

  // Runs `casecall-intake create-admin` and signs the administrator in.
  session create_admin(const std::string& email, const std::string& password);
  // POST /registrations, then the verification link from the mail; returns the owner's session.
  session register_partner(const std::string& email, const std::string& password, const std::string& org_name,
                           const std::string& language = "en");
  session login(const std::string& email, const std::string& password);
  // POST /invitations as `inviter`, then POST /invitations/accept with the mailed token.
  nlohmann::json invite_and_accept(const session& inviter, nlohmann::json invitation, const std::string& name,
                                   const std::string& password);

  // The first result row of `sql` as the cluster's superuser, as text.
  std::vector<std::string> query_row(const std::string& sql);

  static nlohmann::json registration(const std::string& email, const std::string& password,
                                     const std::string& org_name, const std::string& language = "en");

 private:
  scratch_database db_;
  std::string mail_dir_;
  std::unique_ptr<child_process> sink_;
  std::unique_ptr<running_service> intake_;
  std::unique_ptr<running_service> review_;
  std::map<std::string, std::string> review_env_;
  std::unique_ptr<running_service> publish_;
  std::map<std::string, std::string> publish_env_;

  api_response call_at(std::uint16_t to, const std::string& method, const std::string& target,
                       const std::optional<nlohmann::json>& body, const session* credentials,
                       std::vector<std::pair<std::string, std::string>> headers);
  api_response call_raw_at(std::uint16_t to, const std::string& method, const std::string& target,
                           const std::string& body, std::vector<std::pair<std::string, std::string>> headers);
  int mails_seen_ = 0;
};

std::string source_dir();

// The GS7 call of tests/fixtures/gs7-call.json, open from 2020 to 2099.
nlohmann::json gs7_call_open_now();

}  // namespace casecall::testing
