// `coffer token create|list|revoke`, `coffer session list|revoke` and
// `coffer lockdown`: API tokens, web sessions and incident response.
#include <iostream>
#include <sstream>

#include "coffer/cli.h"
#include "service/sessions.h"

namespace coffer::cli {

namespace {

using service::Context;
using service::Principal;

struct TokenArgs {
  std::string user;
  std::string name;
  std::string scopes = "read,write";
  uint32_t days = 0;
  int64_t id = 0;
};

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ",") + w;
  return out;
}

nlohmann::json ToJson(const service::TokenInfo& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"public_id", t.public_id},
          {"scopes", service::ScopeNames(t.scopes)},
          {"created_at", t.created_at},
          {"expires_at", t.expires_at},
          {"last_used_at", t.last_used_at}};
}

void AddTokenCommands(CLI::App& root, Cli& cli) {
  auto* token = root.add_subcommand("token", "Manage API tokens (Authorization: Bearer)");
  token->require_subcommand(1);
  auto a = std::make_shared<TokenArgs>();

  auto* create = token->add_subcommand(
      "create", "Make a token for a user; it is printed once, on the last line");
  create->add_option("--user", a->user, "Owner of the token")->required();
  create->add_option("--name", a->name, "What the token is for")->required();
  create->add_option("--scopes", a->scopes, "read, write and/or admin, comma-separated")
      ->capture_default_str();
  create->add_option("--days", a->days, "Lifetime in days (default: [accounts] token_max_days)");
  RunWithApp(create, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_ASSIGN_OR_RETURN(uint32_t scopes, service::ParseScopes(a->scopes));
    COFFER_ASSIGN_OR_RETURN(auto t,
                            app.sessions().CreateToken(p, c, a->user, a->name, scopes, a->days));
    nlohmann::json doc = ToJson(t.info);
    doc["token"] = t.token;
    cli.Print(doc, "Token " + std::to_string(t.info.id) + " for " + a->user + " (" +
                       Join(service::ScopeNames(t.info.scopes)) + "), expires " +
                       FormatTime(t.info.expires_at) + ". It is shown only now:\n" + t.token);
    return Status::Ok();
  });

  auto* list = token->add_subcommand("list", "List a user's tokens (never the secrets)");
  list->add_option("--user", a->user, "Owner")->required();
  RunWithApp(list, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_ASSIGN_OR_RETURN(auto tokens, app.sessions().ListTokens(p, c, a->user));
    nlohmann::json doc = nlohmann::json::array();
    std::ostringstream out;
    for (const auto& t : tokens) {
      doc.push_back(ToJson(t));
      out << t.id << "  " << t.name << "  " << Join(service::ScopeNames(t.scopes)) << "  expires "
          << FormatTime(t.expires_at) << "  last used "
          << (t.last_used_at ? FormatTime(t.last_used_at) : "never") << "\n";
    }
    if (tokens.empty()) out << a->user << " has no API tokens\n";
    std::string human = out.str();
    human.pop_back();
    cli.Print(doc, human);
    return Status::Ok();
  });

  auto* revoke = token->add_subcommand("revoke", "Revoke one token");
  revoke->add_option("--user", a->user, "Owner")->required();
  revoke->add_option("--id", a->id, "Token id (from token list)")->required();
  RunWithApp(revoke, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_RETURN_IF_ERROR(app.sessions().RevokeToken(p, c, a->user, a->id));
    Confirm(cli, "Revoked token " + std::to_string(a->id) + " of " + a->user);
    return Status::Ok();
  });
}

void AddSessionListCommands(CLI::App& root, Cli& cli) {
  auto* session = root.add_subcommand("session", "See and end users' web sessions");
  session->require_subcommand(1);
  auto user = std::make_shared<std::string>();

  auto* list = session->add_subcommand("list", "List a user's open sessions");
  list->add_option("--user", *user, "User name")->required();
  RunWithApp(list, cli,
             [&cli, user](app::App& app, const Principal& p, const Context& c) -> Status {
               COFFER_ASSIGN_OR_RETURN(auto sessions, app.sessions().ListSessions(p, c, *user));
               nlohmann::json doc = nlohmann::json::array();
               std::ostringstream out;
               for (const auto& s : sessions) {
                 doc.push_back({{"id", s.id},
                                {"created_at", s.created_at},
                                {"last_seen_at", s.last_seen_at},
                                {"expires_at", s.expires_at},
                                {"address", s.address},
                                {"user_agent", s.user_agent}});
                 out << s.id << "  from " << s.address << "  since " << FormatTime(s.created_at)
                     << "  last seen " << FormatTime(s.last_seen_at) << "\n";
               }
               if (sessions.empty()) out << *user << " has no open sessions\n";
               std::string human = out.str();
               human.pop_back();
               cli.Print(doc, human);
               return Status::Ok();
             });

  auto* revoke = session->add_subcommand("revoke", "End every session of a user");
  revoke->add_option("--user", *user, "User name")->required();
  RunWithApp(revoke, cli,
             [&cli, user](app::App& app, const Principal& p, const Context& c) -> Status {
               COFFER_ASSIGN_OR_RETURN(int64_t n, app.sessions().RevokeAllSessions(p, c, *user));
               Confirm(cli, "Ended " + std::to_string(n) + " session(s) of " + *user);
               return Status::Ok();
             });
}

struct LockdownArgs {
  std::string user;
  bool all = false;
  bool lift = false;
  bool status = false;
};

Status RunLockdown(app::App& app, const Principal& p, const Context& c, const LockdownArgs& a,
                   const Cli& cli) {
  if (a.status) {
    COFFER_ASSIGN_OR_RETURN(auto s, app.sessions().GetLockdown(p, c));
    std::string human = s.all ? "Everyone is locked down." : "No global lockdown.";
    for (const auto& u : s.users) human += "\nLocked down: " + u;
    cli.Print({{"all", s.all}, {"users", s.users}}, human);
    return Status::Ok();
  }
  if (a.all == !a.user.empty())
    return InvalidArgument("give either --user NAME or --all (and --lift to end it)");
  std::optional<std::string_view> user;
  if (!a.all) user = a.user;
  std::string who = a.all ? "everyone" : a.user;
  if (a.lift) {
    COFFER_RETURN_IF_ERROR(app.sessions().LiftLockdown(p, c, user));
    Confirm(cli, "Lockdown of " + who + " lifted; sign-in works again");
    return Status::Ok();
  }
  COFFER_RETURN_IF_ERROR(app.sessions().Lockdown(p, c, user));
  Confirm(cli, "Locked down " + who +
                   ": every session and API token revoked, remote sign-in refused until "
                   "`coffer lockdown --lift`");
  return Status::Ok();
}

void AddLockdownCommand(CLI::App& root, Cli& cli) {
  auto a = std::make_shared<LockdownArgs>();
  auto* cmd = root.add_subcommand(
      "lockdown",
      "Incident response: revoke every session and API token of one user (--user) or "
      "everyone (--all) and refuse remote sign-in until lifted (--lift); --status shows it");
  cmd->add_option("--user", a->user, "Lock down one user");
  cmd->add_flag("--all", a->all, "Lock down everyone");
  cmd->add_flag("--lift", a->lift, "End the lockdown instead");
  cmd->add_flag("--status", a->status, "Show what is locked down");
  RunWithApp(cmd, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) {
    return RunLockdown(app, p, c, *a, cli);
  });
}

}  // namespace

void AddSessionCommands(CLI::App& root, Cli& cli) {
  AddTokenCommands(root, cli);
  AddSessionListCommands(root, cli);
  AddLockdownCommand(root, cli);
}

}  // namespace coffer::cli
