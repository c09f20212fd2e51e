#include "intake_stack.hpp"

#include <csignal>

#include <pqxx/pqxx>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace casecall::testing {

namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ')) s.pop_back();
  while (!s.empty() && s.front() == ' ') s.erase(0, 1);
  return s;
}

std::string base64_decode(const std::string& in) {
  static const std::string chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int value = 0;
  int bits = -8;
  for (char c : in) {
    auto pos = chars.find(c);
    if (pos == std::string::npos) continue;
    value = (value << 6) + static_cast<int>(pos);
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((value >> bits) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

// "=?UTF-8?B?...?=" as text; anything else unchanged.
std::string decode_header(const std::string& value) {
  const std::string prefix = "=?UTF-8?B?";
  if (value.rfind(prefix, 0) == 0 && value.size() > prefix.size() + 2 && value.substr(value.size() - 2) == "?=") {
    return base64_decode(value.substr(prefix.size(), value.size() - prefix.size() - 2));
  }
  return value;
}

}  // namespace

std::string source_dir() { return CASECALL_SOURCE_DIR; }

std::vector<std::string> api_response::field_errors() const {
  std::vector<std::string> out;
  if (!body.is_object()) return out;
  for (const auto& e : body.value("errors", nlohmann::json::array())) {
    out.push_back(e["field"].get<std::string>() + " " + e["code"].get<std::string>());
  }
  return out;
}

intake_stack::intake_stack(std::map<std::string, std::string> env, bool linked_review) {
  // Database names repeat across runs (they carry the pid): start from an empty folder, or
  // the sink would number its mails after an earlier run's.
  mail_dir_ = env_or_fail("CASECALL_TEST_SCRATCH") + "/mail-" + db_.name();
  std::filesystem::remove_all(mail_dir_);
  std::filesystem::create_directories(mail_dir_);
  sink_ = std::make_unique<child_process>(source_dir() + "/deploy/local/smtp-sink",
                                          std::vector<std::string>{"--dir", mail_dir_, "--port", "0"},
                                          std::map<std::string, std::string>{});
  auto ready = sink_->wait_for_line("listening ", std::chrono::seconds(30));
  if (!ready) throw std::runtime_error("smtp-sink did not start:\n" + sink_->output());
  const auto smtp_port = trim(ready->substr(ready->rfind(' ') + 1));
  env.emplace("CASECALL_SMTP_URL", "smtp://127.0.0.1:" + smtp_port);
  env.emplace("CASECALL_MAIL_RETRY_MS", "100");
  env.emplace("CASECALL_PUBLIC_URL", "http://cases.test");
  if (linked_review) {
    const auto token = review_link_token();
    const auto review_port = std::to_string(free_port());
    env["CASECALL_SERVICE_TOKEN"] = token;
    env["CASECALL_REVIEW_URL"] = "http://127.0.0.1:" + review_port;
    // Review fetches attachments from intake with its own token; publish reads from both.
    const std::string review_token = "review-to-intake-token-for-tests-0123456789";
    const std::string publish_token = "publish-to-others-token-for-tests-0123456789";
    env.emplace("CASECALL_PEER_TOKEN_HASHES", "review=" + sha256_hex(review_token) + ",publish=" + sha256_hex(publish_token));
    review_env_ = {{"CASECALL_HTTP_PORT", review_port},
                   {"CASECALL_PEER_TOKEN_HASHES", "intake=" + sha256_hex(token) + ",publish=" + sha256_hex(publish_token)},
                   {"CASECALL_SERVICE_TOKEN", review_token},
                   {"CASECALL_PUBLIC_URL", "http://cases.test"}};
    publish_env_ = {{"CASECALL_SERVICE_TOKEN", publish_token},
                    {"CASECALL_REVIEW_URL", "http://127.0.0.1:" + review_port},
                    {"CASECALL_PUBLIC_URL", "http://cases.test"}};
  }
  intake_ = std::make_unique<running_service>("casecall-intake", "intake", db_.name(), env);
}

void intake_stack::kill_and_restart_intake() {
  auto env = intake_->env();
  intake_->process().signal(SIGKILL);
  if (!intake_->process().wait_exit(std::chrono::seconds(10))) throw std::runtime_error("intake did not die of SIGKILL");
  intake_.reset();
  intake_ = std::make_unique<running_service>("casecall-intake", "intake", db_.name(), env);
}

api_response intake_stack::call_raw(const std::string& method, const std::string& target, const std::string& body,
                                    std::vector<std::pair<std::string, std::string>> headers) {
  return call_raw_at(port(), method, target, body, std::move(headers));
}

api_response intake_stack::call_raw_at(std::uint16_t to, const std::string& method, const std::string& target,
                                       const std::string& body, std::vector<std::pair<std::string, std::string>> headers) {
  api_response out;
  out.raw = http_request(to, method, target, headers, body);
  out.status = out.raw.status;
  if (!out.raw.body.empty()) {
    out.body = nlohmann::json::parse(out.raw.body, nullptr, false);
    if (out.body.is_discarded()) out.body = nullptr;
  }
  return out;
}

api_response intake_stack::call(const std::string& method, const std::string& target,
                                const std::optional<nlohmann::json>& body, const session* credentials,
                                std::vector<std::pair<std::string, std::string>> headers) {
  return call_at(port(), method, target, body, credentials, std::move(headers));
}

api_response intake_stack::call_review(const std::string& method, const std::string& target,
                                       const std::optional<nlohmann::json>& body, const session* credentials,
                                       std::vector<std::pair<std::string, std::string>> headers) {
  if (!review_) {
    review_env_["CASECALL_INTAKE_URL"] = "http://127.0.0.1:" + std::to_string(port());
    review_ = std::make_unique<running_service>("casecall-review", "review", db_.name(), review_env_);
  }
  return call_at(review_->port(), method, target, body, credentials, std::move(headers));
}

api_response intake_stack::call_publish(const std::string& method, const std::string& target,
                                        const std::optional<nlohmann::json>& body, const session* credentials,
                                        std::vector<std::pair<std::string, std::string>> headers) {
  if (!publish_) {
    publish_env_["CASECALL_INTAKE_URL"] = "http://127.0.0.1:" + std::to_string(port());
    publish_ = std::make_unique<running_service>("casecall-publish", "publish", db_.name(), publish_env_);
  }
  return call_at(publish_->port(), method, target, body, credentials, std::move(headers));
}

api_response intake_stack::call_at(std::uint16_t to, const std::string& method, const std::string& target,
                                   const std::optional<nlohmann::json>& body, const session* credentials,
                                   std::vector<std::pair<std::string, std::string>> headers) {
  if (body) headers.emplace_back("Content-Type", "application/json");
  if (credentials) {
    headers.emplace_back("Cookie", credentials->cookie);
    if (method != "GET" && method != "HEAD") headers.emplace_back("X-CSRF-Token", credentials->csrf);
  }
  return call_raw_at(to, method, target, body ? body->dump() : std::string(), std::move(headers));
}

mail_message intake_stack::mail(int n) {
  const auto needle = "delivered " + std::to_string(n) + " ";
  auto line = sink_->wait_for_line(needle, std::chrono::seconds(30));
  if (!line) throw std::runtime_error("mail " + std::to_string(n) + " did not arrive; sink output:\n" + sink_->output());
  mail_message m;
  m.path = trim(line->substr(line->find(needle) + needle.size()));
  std::ifstream in(m.path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  const auto raw = text.str();
  const auto split = raw.find("\r\n\r\n");
  std::istringstream head(raw.substr(0, split));
  std::string header_line;
  while (std::getline(head, header_line)) {
    header_line = trim(header_line);
    auto colon = header_line.find(':');
    if (colon == std::string::npos) continue;
    m.headers[header_line.substr(0, colon)] = trim(header_line.substr(colon + 1));
  }
  m.to = m.headers["To"];
  m.subject = decode_header(m.headers["Subject"]);
  m.body = split == std::string::npos ? std::string() : raw.substr(split + 4);
  auto at = m.body.find("http://");
  if (at == std::string::npos) at = m.body.find("https://");
  if (at != std::string::npos) {
    m.link = trim(m.body.substr(at, m.body.find_first_of("\r\n", at) - at));
    auto token_at = m.link.find("#token=");
    if (token_at != std::string::npos) m.token = m.link.substr(token_at + 7);
  }
  return m;
}

nlohmann::json intake_stack::registration(const std::string& email, const std::string& password,
                                          const std::string& org_name, const std::string& language) {
  return {{"organisation",
           {{"names", {{"en", org_name}}},
            {"country", "KE"},
            {"kind", "ngo"},
            {"address", "PO Box 1, Nairobi"},
            {"website", "https://example.org"}}},
          {"account", {{"email", email}, {"name", "Owner of " + org_name}, {"language", language}, {"password", password}}}};
}

session intake_stack::login(const std::string& email, const std::string& password) {
  auto res = call("POST", "/api/intake/v1/sessions", nlohmann::json{{"email", email}, {"password", password}});
  if (res.status != 201) throw std::runtime_error("login of " + email + " gave " + std::to_string(res.status) + ": " + res.raw.body);
  session s;
  auto cookie = res.raw.header("Set-Cookie");
  s.cookie = cookie.substr(0, cookie.find(';'));
  s.csrf = res.body["csrf_token"].get<std::string>();
  s.user = res.body["user"];
  return s;
}

session intake_stack::register_partner(const std::string& email, const std::string& password,
                                       const std::string& org_name, const std::string& language) {
  auto res = call("POST", "/api/intake/v1/registrations", registration(email, password, org_name, language));
  if (res.status != 201) throw std::runtime_error("registration gave " + std::to_string(res.status) + ": " + res.raw.body);
  auto m = next_mail();
  auto verified = call("POST", "/api/intake/v1/email-verifications", nlohmann::json{{"token", m.token}});
  if (verified.status != 200) throw std::runtime_error("verification gave " + std::to_string(verified.status) + ": " + verified.raw.body);
  return login(email, password);
}

nlohmann::json intake_stack::invite_and_accept(const session& inviter, nlohmann::json invitation, const std::string& name,
                                               const std::string& password) {
  auto res = call("POST", "/api/intake/v1/invitations", invitation, &inviter);
  if (res.status != 201) throw std::runtime_error("invitation gave " + std::to_string(res.status) + ": " + res.raw.body);
  auto m = next_mail();
  auto accepted = call("POST", "/api/intake/v1/invitations/accept",
                       nlohmann::json{{"token", m.token}, {"name", name}, {"password", password}});
  if (accepted.status != 201) throw std::runtime_error("acceptance gave " + std::to_string(accepted.status) + ": " + accepted.raw.body);
  return accepted.body["user"];
}

session intake_stack::create_admin(const std::string& email, const std::string& password) {
  const auto file = env_or_fail("CASECALL_TEST_SCRATCH") + "/admin-password-" + db_.name();
  {
    std::ofstream out(file);
    out << password << "\n";
  }
  child_process cmd(bin_dir() + "/casecall-intake",
                    {"create-admin", "--email", email, "--name", "Call Administrator", "--password-file", file},
                    {{"CASECALL_DB_URL", db_.url("casecall_intake")}, {"CASECALL_DB_OWNER_URL", db_.url("casecall_owner")}});
  auto code = cmd.wait_exit(std::chrono::seconds(60));
  std::filesystem::remove(file);
  if (code != 0) throw std::runtime_error("create-admin failed:\n" + cmd.output());
  return login(email, password);
}

std::vector<std::string> intake_stack::query_row(const std::string& sql) {
  pqxx::connection c(role_url("casecall_admin", db_.name()));
  pqxx::nontransaction tx(c);
  auto rows = tx.exec(sql);
  std::vector<std::string> out;
  if (rows.empty()) return out;
  for (const auto& f : rows[0]) out.push_back(f.is_null() ? std::string("NULL") : f.as<std::string>());
  return out;
}

nlohmann::json gs7_call_open_now() {
  std::ifstream in(source_dir() + "/tests/fixtures/gs7-call.json");
  std::stringstream text;
  text << in.rdbuf();
  auto call = nlohmann::json::parse(text.str());
  call["opens_at"] = "2020-01-01T00:00:00Z";
  call["closes_at"] = "2099-01-01T00:00:00Z";
  return call;
}

}  // namespace casecall::testing
