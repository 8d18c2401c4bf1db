// `coffer keys rotate` and `coffer activity`.
#include "coffer/cli.h"
#include "service/key_rotation.h"

namespace coffer::cli {

namespace {

using service::Context;
using service::Principal;

void AddKeys(CLI::App& root, Cli& cli) {
  auto* keys = root.add_subcommand("keys", "Manage the master keys");
  keys->require_subcommand(1);
  auto* rotate = keys->add_subcommand(
      "rotate",
      "Make a new master key, rewrap every file's data key with it (content is not rewritten) "
      "and delete the old key files. Safe to interrupt and run again. Stop the server first.");
  rotate->callback([&cli] {
    cli.Set([&cli] {
      return cli.WithApp(
          [&cli](app::App& app, const Principal& p, const Context& c) -> Status {
            COFFER_ASSIGN_OR_RETURN(auto report, service::RotateKeys(app.store(), app.keyring(),
                                                                     app.activity(), p, c));
            nlohmann::json doc = {{"new_key_id", report.new_key_id},
                                  {"rewrapped", report.rewrapped},
                                  {"retired", report.retired}};
            std::string retired;
            for (uint32_t id : report.retired) retired += " " + std::to_string(id);
            cli.Print(doc, "New master key " + std::to_string(report.new_key_id) + "; rewrapped " +
                               std::to_string(report.rewrapped) + " data key(s); retired key(s):" +
                               (retired.empty() ? " none" : retired));
            return Status::Ok();
          },
          /*exclusive=*/true);
    });
  });
}

struct ActivityArgs {
  std::string user;
  size_t limit = 50;
  int64_t before = 0;
};

void AddActivity(CLI::App& root, Cli& cli) {
  auto a = std::make_shared<ActivityArgs>();
  auto* activity = root.add_subcommand("activity", "Show the activity log, newest first");
  activity->add_option("--user", a->user, "Only this user's actions");
  activity->add_option("--limit", a->limit, "Records to show")->capture_default_str();
  activity->add_option("--before", a->before, "Only records older than this id (paging)");
  activity->callback([&cli, a] {
    cli.Set([&cli, a] {
      return cli.WithApp([&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
        COFFER_ASSIGN_OR_RETURN(auto records,
                                app.admin().ListActivity(p, c, a->user, a->before, a->limit));
        nlohmann::json doc = nlohmann::json::array();
        std::string human;
        for (const auto& r : records) {
          doc.push_back({{"id", r.id}, {"at_us", r.at_us}, {"actor", r.actor_name},
                         {"protocol", r.protocol}, {"address", r.address}, {"action", r.action},
                         {"path", r.path}, {"object_id", r.object_id}, {"result", r.result},
                         {"detail", r.detail}, {"bytes", r.bytes}, {"sha256", r.sha256_hex}});
          human += std::to_string(r.id) + "  " + FormatTime(r.at_us / 1000000) + "  " +
                   r.actor_name + "  " + r.action + "  " + r.result + "  " + r.path +
                   (r.detail.empty() ? "" : "  (" + r.detail + ")") + "\n";
        }
        cli.Print(doc, human.empty() ? "(no activity)" : human);
        return Status::Ok();
      });
    });
  });
}

}  // namespace

void AddKeysCommands(CLI::App& root, Cli& cli) {
  AddKeys(root, cli);
  AddActivity(root, cli);
}

}  // namespace coffer::cli
