// `coffer folder ...`, `coffer grant` and `coffer revoke`.
#include "coffer/cli.h"
#include "service/perms.h"

namespace coffer::cli {

namespace {

using service::Context;
using service::Principal;

struct FolderArgs {
  std::string path, subject, perms, quota;
};

using Fn = std::function<Status(app::App&, const Principal&, const Context&)>;

void OnRun(CLI::App* cmd, Cli& cli, Fn fn) {
  cmd->callback([&cli, fn] { cli.Set([&cli, fn] { return cli.WithApp(fn); }); });
}

nlohmann::json GrantsJson(const std::vector<service::GrantInfo>& grants) {
  nlohmann::json doc = nlohmann::json::array();
  for (const auto& g : grants) {
    doc.push_back({{"folder", g.folder}, {"subject", g.subject},
                   {"permissions", service::PermsToString(g.perms)}});
  }
  return doc;
}

Status ListFolders(Cli& cli, app::App& app, const Principal& p, const Context& c,
                   const std::string& path) {
  COFFER_ASSIGN_OR_RETURN(auto page, app.files().List(p, c, path, "", 1000));
  nlohmann::json doc = nlohmann::json::array();
  std::string human;
  for (const auto& e : page.entries) {
    if (!e.is_folder) continue;
    auto grants = app.admin().ListGrants(p, c, e.path);
    nlohmann::json item = {{"path", e.path}, {"used_bytes", e.size}, {"quota_bytes", e.quota_bytes}};
    human += e.path + "  used " + HumanSize(e.size) +
             (e.quota_bytes ? " of " + HumanSize(e.quota_bytes) : std::string()) + "\n";
    if (grants.ok()) {
      item["grants"] = GrantsJson(*grants);
      for (const auto& g : *grants) {
        human += "    " + g.subject + ": " + service::PermsToString(g.perms) + "\n";
      }
    }
    doc.push_back(std::move(item));
  }
  cli.Print(doc, human.empty() ? "(no folders)" : human);
  return Status::Ok();
}

void AddFolder(CLI::App& root, Cli& cli, std::shared_ptr<FolderArgs> a) {
  auto* folder = root.add_subcommand("folder", "Manage folders (the unit access is granted on)");
  folder->require_subcommand(1);
  auto* add = folder->add_subcommand("add", "Create a folder (and missing parents)");
  add->add_option("path", a->path, "Folder path, e.g. /Payroll/Incoming")->required();
  add->add_option("--quota", a->quota, "Quota for everything stored below it, e.g. 50GiB");
  OnRun(add, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    int64_t quota = 0;
    if (!a->quota.empty()) {
      COFFER_ASSIGN_OR_RETURN(quota, ParseSize(a->quota));
    }
    COFFER_ASSIGN_OR_RETURN(auto info, app.admin().CreateFolder(p, c, a->path, quota));
    cli.Print({{"id", info.id}, {"path", info.path}, {"quota_bytes", info.quota_bytes}},
              "Created folder " + info.path);
    return Status::Ok();
  });
  auto* list = folder->add_subcommand("list", "List folders under a path with usage and grants");
  a->path = "/";
  list->add_option("path", a->path, "Parent folder (default: the root)");
  OnRun(list, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) {
    return ListFolders(cli, app, p, c, a->path);
  });
  auto* del = folder->add_subcommand("delete", "Move a folder and its content to the recycle bin");
  del->add_option("path", a->path, "Folder path")->required();
  OnRun(del, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_ASSIGN_OR_RETURN(auto info, app.files().Stat(p, c, a->path));
    if (!info.is_folder) return InvalidArgument("not a folder; use `coffer files rm`");
    COFFER_RETURN_IF_ERROR(app.files().Delete(p, c, a->path));
    cli.Print({{"ok", true}, {"id", info.id}},
              "Moved " + info.path + " to the recycle bin (restore: coffer files restore " +
                  std::to_string(info.id) + ")");
    return Status::Ok();
  });
  auto* quota = folder->add_subcommand("quota", "Set a folder's quota (0: none)");
  quota->add_option("path", a->path, "Folder path")->required();
  quota->add_option("bytes", a->quota, "Quota, e.g. 50GiB")->required();
  OnRun(quota, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_ASSIGN_OR_RETURN(int64_t bytes, ParseSize(a->quota));
    COFFER_RETURN_IF_ERROR(app.admin().SetFolderQuota(p, c, a->path, bytes));
    cli.Print({{"ok", true}}, "Quota of " + a->path + " set to " +
                                  (bytes ? HumanSize(bytes) : std::string("none")));
    return Status::Ok();
  });
}

void AddGrantRevoke(CLI::App& root, Cli& cli, std::shared_ptr<FolderArgs> a) {
  auto* grant = root.add_subcommand(
      "grant", "Give a user or @group permissions on a folder (inherited by subfolders unless "
               "they have their own entry); replaces an earlier grant to the same subject");
  grant->add_option("path", a->path, "Folder path")->required();
  grant->add_option("subject", a->subject, "User name, or @group")->required();
  grant->add_option("permissions", a->perms,
                    "Comma-separated: list,read,write,delete,share,manage; or all; or none "
                    "(an explicit no-access override)")
      ->required();
  OnRun(grant, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_ASSIGN_OR_RETURN(uint32_t perms, service::ParsePerms(a->perms));
    COFFER_RETURN_IF_ERROR(app.admin().Grant(p, c, a->path, a->subject, perms));
    cli.Print({{"ok", true}, {"permissions", service::PermsToString(perms)}},
              "Granted " + service::PermsToString(perms) + " on " + a->path + " to " + a->subject);
    return Status::Ok();
  });
  auto* revoke = root.add_subcommand("revoke", "Remove a user's or @group's entry on a folder");
  revoke->add_option("path", a->path, "Folder path")->required();
  revoke->add_option("subject", a->subject, "User name, or @group")->required();
  OnRun(revoke, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_RETURN_IF_ERROR(app.admin().Revoke(p, c, a->path, a->subject));
    cli.Print({{"ok", true}}, "Revoked " + a->subject + " on " + a->path);
    return Status::Ok();
  });
}

}  // namespace

void AddFolderCommands(CLI::App& root, Cli& cli) {
  auto a = std::make_shared<FolderArgs>();
  AddFolder(root, cli, a);
  AddGrantRevoke(root, cli, a);
}

}  // namespace coffer::cli
