// `coffer user ...` and `coffer group ...`.
#include <sstream>

#include "coffer/cli.h"
#include "http/json_views.h"

namespace coffer::cli {

namespace {

using service::Context;
using service::Principal;

std::string Describe(const service::UserInfo& u) {
  std::ostringstream out;
  out << "name:         " << u.name << "\n"
      << "display name: " << u.display_name << "\n"
      << "role:         " << (u.admin ? "admin" : "user") << "\n"
      << "state:        " << (u.disabled ? "disabled" : "enabled")
      << (u.must_change_password ? ", must change password" : "") << "\n"
      << "quota:        " << (u.quota_bytes ? HumanSize(u.quota_bytes) : "unlimited") << "\n"
      << "used:         " << HumanSize(u.used_bytes) << "\n"
      << "created:      " << FormatTime(u.created_at) << "\n"
      << "groups:       ";
  for (size_t i = 0; i < u.groups.size(); ++i) out << (i ? ", " : "") << u.groups[i];
  out << "\n";
  return out.str();
}

struct UserArgs {
  std::string name, display_name, quota, password_file, group;
  bool admin = false, no_force_change = false;
};

Result<std::optional<std::string>> OptionalPassword(const std::string& file) {
  if (file.empty()) return std::optional<std::string>();
  COFFER_ASSIGN_OR_RETURN(std::string pw, ReadSecretFile(file));
  return std::optional<std::string>(std::move(pw));
}

void AddUserAdd(CLI::App* user, Cli& cli, std::shared_ptr<UserArgs> a) {
  auto* add = user->add_subcommand("add", "Create a user");
  add->add_option("name", a->name, "User name (letters, digits, . _ - @)")->required();
  add->add_option("--display-name", a->display_name, "Name shown to people");
  add->add_flag("--admin", a->admin, "Make the user an administrator");
  add->add_option("--quota", a->quota, "Storage quota, e.g. 10GiB (default: unlimited)");
  add->add_option("--password-file", a->password_file,
                  "Read the password from this file ('-': standard input); without it a "
                  "one-time password is generated and printed");
  add->callback([&cli, a] {
    cli.Set([&cli, a] {
      return cli.WithApp([&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
        service::NewUser nu{a->name, a->display_name, a->admin, 0, std::nullopt};
        if (!a->quota.empty()) {
          COFFER_ASSIGN_OR_RETURN(nu.quota_bytes, ParseSize(a->quota));
        }
        COFFER_ASSIGN_OR_RETURN(nu.password, OptionalPassword(a->password_file));
        COFFER_ASSIGN_OR_RETURN(auto created, app.admin().CreateUser(p, c, nu));
        nlohmann::json doc = http::UserJson(created.user);
        std::string human = "Created user " + created.user.name;
        if (!created.generated_password.empty()) {
          doc["password"] = created.generated_password;
          human += "\nOne-time password: " + created.generated_password +
                   " (shown once; must be changed at first sign-in)";
        }
        cli.Print(doc, human);
        return Status::Ok();
      });
    });
  });
}

void AddUserList(CLI::App* user, Cli& cli) {
  user->add_subcommand("list", "List users")->callback([&cli] {
    cli.Set([&cli] {
      return cli.WithApp([&cli](app::App& app, const Principal& p, const Context& c) -> Status {
        COFFER_ASSIGN_OR_RETURN(auto users, app.admin().ListUsers(p, c));
        nlohmann::json doc = nlohmann::json::array();
        std::ostringstream out;
        char line[256];
        std::snprintf(line, sizeof line, "%-24s %-6s %-9s %12s %12s\n", "NAME", "ROLE", "STATE",
                      "USED", "QUOTA");
        out << line;
        for (const auto& u : users) {
          doc.push_back(http::UserJson(u));
          std::snprintf(line, sizeof line, "%-24s %-6s %-9s %12s %12s\n", u.name.c_str(),
                        u.admin ? "admin" : "user", u.disabled ? "disabled" : "enabled",
                        HumanSize(u.used_bytes).c_str(),
                        u.quota_bytes ? HumanSize(u.quota_bytes).c_str() : "unlimited");
          out << line;
        }
        cli.Print(doc, out.str());
        return Status::Ok();
      });
    });
  });
}

// Subcommands that take a user name and print a confirmation.
void AddUserSimple(
    CLI::App* user, Cli& cli, std::shared_ptr<UserArgs> a, const char* name, const char* help,
    std::function<Status(app::App&, const Principal&, const Context&, UserArgs&)> fn) {
  auto* cmd = user->add_subcommand(name, help);
  cmd->add_option("name", a->name, "User name")->required();
  if (std::string(name) == "passwd") {
    cmd->add_option("--password-file", a->password_file,
                    "Read the new password from this file ('-': standard input); without it a "
                    "one-time password is generated and printed");
    cmd->add_flag("--no-force-change", a->no_force_change,
                  "Do not require a change at next sign-in (only with --password-file)");
  }
  if (std::string(name) == "quota") {
    cmd->add_option("bytes", a->quota, "Quota, e.g. 10GiB; 0 for unlimited")->required();
  }
  cmd->callback([&cli, a, fn] {
    cli.Set([&cli, a, fn] {
      return cli.WithApp([a, fn](app::App& app, const Principal& p, const Context& c) {
        return fn(app, p, c, *a);
      });
    });
  });
}

void AddUserCommand(CLI::App& root, Cli& cli) {
  auto* user = root.add_subcommand("user", "Manage users");
  user->require_subcommand(1);
  auto a = std::make_shared<UserArgs>();
  AddUserAdd(user, cli, a);
  AddUserList(user, cli);
  AddUserKeyCommands(user, cli);
  AddUserUnlockCommand(user, cli);
  AddUserMfaCommands(user, cli);
  AddUserSimple(
      user, cli, a, "show", "Show one user",
      [&cli](app::App& app, const Principal& p, const Context& c, UserArgs& args) -> Status {
        COFFER_ASSIGN_OR_RETURN(auto u, app.admin().GetUser(p, c, args.name));
        cli.Print(http::UserJson(u), Describe(u));
        return Status::Ok();
      });
  auto confirm = [&cli](const std::string& what) {
    cli.Print({{"ok", true}, {"message", what}}, what);
    return Status::Ok();
  };
  AddUserSimple(user, cli, a, "disable", "Disable a user (they can no longer sign in)",
                [confirm](app::App& app, const Principal& p, const Context& c, UserArgs& args) {
                  Status st = app.admin().SetDisabled(p, c, args.name, true);
                  return st.ok() ? confirm("Disabled " + args.name) : st;
                });
  AddUserSimple(user, cli, a, "enable", "Enable a disabled user",
                [confirm](app::App& app, const Principal& p, const Context& c, UserArgs& args) {
                  Status st = app.admin().SetDisabled(p, c, args.name, false);
                  return st.ok() ? confirm("Enabled " + args.name) : st;
                });
  AddUserSimple(user, cli, a, "delete", "Delete a user (their files stay in their folders)",
                [confirm](app::App& app, const Principal& p, const Context& c, UserArgs& args) {
                  Status st = app.admin().DeleteUser(p, c, args.name);
                  return st.ok() ? confirm("Deleted " + args.name) : st;
                });
  AddUserSimple(
      user, cli, a, "quota", "Set a user's storage quota",
      [confirm](app::App& app, const Principal& p, const Context& c, UserArgs& args) -> Status {
        COFFER_ASSIGN_OR_RETURN(int64_t bytes, ParseSize(args.quota));
        COFFER_RETURN_IF_ERROR(app.admin().SetUserQuota(p, c, args.name, bytes));
        return confirm("Quota of " + args.name + " set to " +
                       (bytes ? HumanSize(bytes) : std::string("unlimited")));
      });
  AddUserSimple(
      user, cli, a, "passwd", "Set or reset a user's password",
      [&cli](app::App& app, const Principal& p, const Context& c, UserArgs& args) -> Status {
        COFFER_ASSIGN_OR_RETURN(auto pw, OptionalPassword(args.password_file));
        bool force = !(pw && args.no_force_change);
        COFFER_ASSIGN_OR_RETURN(std::string generated,
                                app.admin().SetPassword(p, c, args.name, pw, force));
        nlohmann::json doc = {{"ok", true}, {"must_change_password", force}};
        std::string human = "Password of " + args.name + " changed";
        if (!generated.empty()) {
          doc["password"] = generated;
          human += "\nOne-time password: " + generated +
                   " (shown once; must be changed at first sign-in)";
        }
        cli.Print(doc, human);
        return Status::Ok();
      });
}

void AddGroupCommand(CLI::App& root, Cli& cli) {
  auto* group = root.add_subcommand("group", "Manage groups and their members");
  group->require_subcommand(1);
  auto a = std::make_shared<UserArgs>();
  auto run = [&cli](CLI::App* cmd,
                    std::function<Status(app::App&, const Principal&, const Context&)> fn) {
    cmd->callback([&cli, fn] { cli.Set([&cli, fn] { return cli.WithApp(fn); }); });
  };
  auto* add = group->add_subcommand("add", "Create a group");
  add->add_option("name", a->group, "Group name")->required();
  run(add, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_ASSIGN_OR_RETURN(auto g, app.admin().CreateGroup(p, c, a->group));
    cli.Print({{"id", g.id}, {"name", g.name}}, "Created group " + g.name);
    return Status::Ok();
  });
  auto* del = group->add_subcommand("delete", "Delete a group and its grants");
  del->add_option("name", a->group, "Group name")->required();
  run(del, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_RETURN_IF_ERROR(app.admin().DeleteGroup(p, c, a->group));
    cli.Print({{"ok", true}}, "Deleted group " + a->group);
    return Status::Ok();
  });
  run(group->add_subcommand("list", "List groups and members"),
      [&cli](app::App& app, const Principal& p, const Context& c) -> Status {
        COFFER_ASSIGN_OR_RETURN(auto groups, app.admin().ListGroups(p, c));
        nlohmann::json doc = nlohmann::json::array();
        std::string human;
        for (const auto& g : groups) {
          doc.push_back({{"id", g.id}, {"name", g.name}, {"members", g.members}});
          human += g.name + ":";
          for (const auto& m : g.members) human += " " + m;
          human += "\n";
        }
        cli.Print(doc, human.empty() ? "(no groups)" : human);
        return Status::Ok();
      });
  auto* member = group->add_subcommand("member", "Add or remove members");
  member->require_subcommand(1);
  for (bool adding : {true, false}) {
    auto* cmd = member->add_subcommand(
        adding ? "add" : "remove", adding ? "Add a user to a group" : "Remove a user from a group");
    cmd->add_option("group", a->group, "Group name")->required();
    cmd->add_option("user", a->name, "User name")->required();
    run(cmd, [&cli, a, adding](app::App& app, const Principal& p, const Context& c) -> Status {
      COFFER_RETURN_IF_ERROR(adding ? app.admin().AddMember(p, c, a->group, a->name)
                                    : app.admin().RemoveMember(p, c, a->group, a->name));
      cli.Print({{"ok", true}}, (adding ? "Added " : "Removed ") + a->name +
                                    (adding ? " to " : " from ") + a->group);
      return Status::Ok();
    });
  }
}

}  // namespace

void AddUserCommands(CLI::App& root, Cli& cli) {
  AddUserCommand(root, cli);
  AddGroupCommand(root, cli);
}

}  // namespace coffer::cli
