#include "intake/service.hpp"

#include "audit/audit.hpp"
#include "identity/crypto.hpp"
#include "identity/identity.hpp"
#include "identity/passwords.hpp"
#include "intake/calls_api.hpp"
#include "intake/cases_api.hpp"
#include "intake/identity_api.hpp"
#include "intake/review_relay.hpp"
#include "intake/uploads_api.hpp"
#include "mail/outbox.hpp"

#include <fstream>
#include <iostream>
#include <string>

namespace casecall::intake {

const std::vector<std::pair<std::string_view, std::string_view>>& request_schema_files();

namespace {

const http::schema_set& request_schemas() {
  static const http::schema_set set(request_schema_files());
  return set;
}

std::string option(const std::vector<std::string>& args, std::string_view name, std::string fallback = {}) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == name) return args[i + 1];
  }
  return fallback;
}

// casecall-intake create-admin --email E --name N [--language L] [--password-file F]; the
// password is the first line of F, or of standard input. Prints the account as JSON.
int create_admin(service::context& ctx, const std::vector<std::string>& args) {
  const auto email = option(args, "--email");
  const auto name = option(args, "--name");
  const auto language = option(args, "--language", "en");
  if (email.empty() || name.empty()) {
    std::cerr << "usage: casecall-intake create-admin --email ADDRESS --name NAME [--language en|fr|es|zh|ar]\n"
                 "                                    [--password-file FILE]\n"
                 "       (the password is the first line of FILE, or of standard input)\n";
    return 2;
  }
  if (!http::valid_email(email)) {
    std::cerr << "create-admin: '" << email << "' is not an e-mail address\n";
    return 2;
  }
  std::string password;
  if (auto file = option(args, "--password-file"); !file.empty()) {
    std::ifstream in(file);
    if (!in) {
      std::cerr << "create-admin: cannot read " << file << "\n";
      return 2;
    }
    std::getline(in, password);
  } else {
    std::getline(std::cin, password);
  }
  if (auto bad = identity::check_password(password, "password")) {
    std::cerr << "create-admin: password refused: " << bad->message << "\n";
    return 2;
  }
  const auto hash = identity::hash_password(password);
  pqxx::connection raw(db::effective_url(ctx.config.db));
  db::connection c(raw);
  pqxx::work tx(raw);
  auto row = tx.exec_params1(
      "INSERT INTO identity.users (email, name, language, role, password_hash, email_verified_at) "
      "VALUES ($1, $2, $3, 'admin', $4, now()) RETURNING id, identity.user_json(users)::text",
      email, name, language, hash);
  audit::event e;
  e.stream = "intake";
  e.actor_kind = "system";
  e.actor_id = "create-admin";
  e.action = "user.admin_created";
  e.object_type = "user";
  e.object_id = row[0].as<std::string>();
  audit::record(c, tx, e);
  tx.commit();
  std::cout << row[1].as<std::string>() << "\n";
  return 0;
}

// casecall-intake audit-verify: seals what is committed, then walks every chain; exit 0 when
// whole, 1 naming the first broken row.
int audit_verify(service::context& ctx, const std::vector<std::string>&) {
  pqxx::connection c(db::effective_url(ctx.config.db));
  audit::seal(c);
  auto result = audit::verify(c);
  std::cout << result.to_json().dump() << "\n";
  if (result.first_broken) {
    std::cerr << "audit chain broken: stream " << result.first_broken->stream << ", row "
              << result.first_broken->seq << ": " << result.first_broken->reason << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

service::definition definition() {
  return {.name = "intake",
          .default_port = 8081,
          .migrations = &migrations,
          .shared_schemas = {{&audit::migrations, db::schema_use::append},
                             {&identity::migrations, db::schema_use::own},
                             {&mail::migrations, db::schema_use::own}},
          .add_routes =
              [](http::router& routes, service::context& ctx) {
                routes.set_guard(identity::make_guard(ctx.config.auth, ctx.db, "intake"));
                add_identity_routes(routes, ctx, request_schemas());
                add_call_routes(routes, ctx, request_schemas());
                add_case_routes(routes, ctx, request_schemas());
                add_upload_routes(routes, ctx);
              },
          .background = [](service::context& ctx) -> std::shared_ptr<void> {
            // The audit sealer, the mail sender (when a relay is configured), the hand-over of
            // cases to review, and the expiry of unfinished uploads.
            struct workers {
              std::shared_ptr<void> sealer;
              std::shared_ptr<mail::sender> mail;
              std::shared_ptr<review_relay> relay;
              std::shared_ptr<void> sweeper;
            };
            auto w = std::make_shared<workers>();
            w->sealer = audit::start_sealer(ctx.config.db);
            if (!ctx.config.mail.smtp_url.empty()) {
              w->mail = std::make_shared<mail::sender>(ctx.config.mail, ctx.config.db);
              ctx.metrics.add_collector([weak = std::weak_ptr<mail::sender>(w->mail)](http::exposition& out) {
                auto sender = weak.lock();
                if (!sender) return;
                out.family("casecall_mail_sent_total", "counter", "Mails the SMTP relay accepted.");
                out.sample("casecall_mail_sent_total", {}, static_cast<double>(sender->stats().sent.load()));
                out.family("casecall_mail_failed_attempts_total", "counter", "Sends the relay refused or missed; retried.");
                out.sample("casecall_mail_failed_attempts_total", {},
                           static_cast<double>(sender->stats().failed_attempts.load()));
              });
              w->mail->start();
            }
            w->relay = std::make_shared<review_relay>(ctx.config.auth, ctx.config.mail.retry_base, ctx.config.db);
            ctx.metrics.add_collector([weak = std::weak_ptr<review_relay>(w->relay)](http::exposition& out) {
              auto relay = weak.lock();
              if (!relay) return;
              out.family("casecall_review_handovers_total", "counter", "Cases review accepted from intake.");
              out.sample("casecall_review_handovers_total", {}, static_cast<double>(relay->delivered()));
              out.family("casecall_review_handover_failures_total", "counter", "Hand-overs review refused or missed; retried.");
              out.sample("casecall_review_handover_failures_total", {}, static_cast<double>(relay->failed_attempts()));
            });
            w->relay->start();
            w->sweeper = start_upload_sweeper(ctx);
            return w;
          },
          .commands = {{"create-admin", &create_admin}, {"audit-verify", &audit_verify}}};
}

}  // namespace casecall::intake
