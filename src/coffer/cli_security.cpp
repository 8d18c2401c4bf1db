// `coffer ban ...`, `coffer iprule ...` and `coffer user unlock`: the sign-in
// defender's state, for administrators (docs/security.md).
#include <sstream>

#include "coffer/cli.h"

namespace coffer::cli {

namespace {

using service::Context;
using service::Principal;

struct SecurityArgs {
  std::string address;
  std::string action;
  std::string comment;
  int64_t seconds = 3600;
  std::string user;
};

void AddBanCommands(CLI::App& root, Cli& cli, std::shared_ptr<SecurityArgs> a) {
  auto* ban = root.add_subcommand("ban", "Banned source addresses (sign-in defence)");
  ban->require_subcommand(1);
  RunWithApp(ban->add_subcommand("list", "Addresses banned now"), cli,
             [&cli](app::App& app, const Principal& p, const Context& c) -> Status {
               COFFER_ASSIGN_OR_RETURN(auto bans, app.admin().defender().ListBans(p, c));
               nlohmann::json doc = nlohmann::json::array();
               std::ostringstream out;
               for (const auto& b : bans) {
                 doc.push_back(
                     {{"address", b.address}, {"banned_until", b.banned_until}, {"bans", b.bans}});
                 out << b.address << "  until " << FormatTime(b.banned_until) << "  (ban " << b.bans
                     << ")\n";
               }
               if (bans.empty()) out << "no address is banned\n";
               std::string human = out.str();
               human.pop_back();
               cli.Print(doc, human);
               return Status::Ok();
             });
  auto* add = ban->add_subcommand("add", "Ban an address now");
  add->add_option("address", a->address, "IP address")->required();
  add->add_option("--seconds", a->seconds, "How long (default 3600)");
  RunWithApp(add, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_RETURN_IF_ERROR(app.admin().defender().Ban(p, c, a->address, a->seconds));
    Confirm(cli, "Banned " + a->address + " for " + std::to_string(a->seconds) + " s");
    return Status::Ok();
  });
  auto* remove = ban->add_subcommand("remove", "Lift a ban (and forget the address's score)");
  remove->add_option("address", a->address, "IP address")->required();
  RunWithApp(remove, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_RETURN_IF_ERROR(app.admin().defender().Unban(p, c, a->address));
    Confirm(cli, "Lifted the ban on " + a->address);
    return Status::Ok();
  });
}

void AddRuleCommands(CLI::App& root, Cli& cli, std::shared_ptr<SecurityArgs> a) {
  auto* rule = root.add_subcommand("iprule", "Allow and deny rules for source addresses");
  rule->require_subcommand(1);
  RunWithApp(rule->add_subcommand("list", "List the rules"), cli,
             [&cli](app::App& app, const Principal& p, const Context& c) -> Status {
               COFFER_ASSIGN_OR_RETURN(auto rules, app.admin().defender().ListRules(p, c));
               nlohmann::json doc = nlohmann::json::array();
               std::ostringstream out;
               for (const auto& r : rules) {
                 doc.push_back({{"network", r.network},
                                {"action", r.allow ? "allow" : "deny"},
                                {"comment", r.comment},
                                {"created_at", r.created_at}});
                 out << (r.allow ? "allow " : "deny  ") << r.network
                     << (r.comment.empty() ? "" : "  # " + r.comment) << "\n";
               }
               if (rules.empty()) out << "no rules\n";
               std::string human = out.str();
               human.pop_back();
               cli.Print(doc, human);
               return Status::Ok();
             });
  auto* add =
      rule->add_subcommand("add", "Add a rule: allow (never banned) or deny (always refused)");
  add->add_option("action", a->action, "allow or deny")
      ->required()
      ->check(CLI::IsMember({"allow", "deny"}));
  add->add_option("network", a->address, "Address or network, e.g. 192.0.2.0/24")->required();
  add->add_option("--comment", a->comment, "Why (shown in the list)");
  RunWithApp(add, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_RETURN_IF_ERROR(
        app.admin().defender().AddRule(p, c, a->address, a->action == "allow", a->comment));
    Confirm(cli, "Added rule: " + a->action + " " + a->address);
    return Status::Ok();
  });
  auto* remove = rule->add_subcommand("remove", "Remove the rule for a network");
  remove->add_option("network", a->address, "Address or network")->required();
  RunWithApp(remove, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_RETURN_IF_ERROR(app.admin().defender().RemoveRule(p, c, a->address));
    Confirm(cli, "Removed the rule for " + a->address);
    return Status::Ok();
  });
}

}  // namespace

void AddSecurityCommands(CLI::App& root, Cli& cli) {
  auto a = std::make_shared<SecurityArgs>();
  AddBanCommands(root, cli, a);
  AddRuleCommands(root, cli, a);
}

void AddUserUnlockCommand(CLI::App* user, Cli& cli) {
  auto a = std::make_shared<SecurityArgs>();
  auto* unlock = user->add_subcommand("unlock", "Lift a user's sign-in locks (every address)");
  unlock->add_option("name", a->user, "User name")->required();
  RunWithApp(unlock, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_RETURN_IF_ERROR(app.admin().UnlockUser(p, c, a->user));
    Confirm(cli, "Unlocked " + a->user);
    return Status::Ok();
  });
}

}  // namespace coffer::cli
