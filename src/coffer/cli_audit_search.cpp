// `coffer audit search` and `coffer audit prune` (docs/audit.md).
#include <iostream>

#include "coffer/cli_audit.h"
#include "http/json_views.h"
#include "service/activity_csv.h"

namespace coffer::cli {

namespace {

using service::Context;
using service::Principal;

struct SearchArgs {
  std::string user, action, path, address, result, since, until, cursor, format = "text";
  size_t limit = 100;
};

Status PrintPage(const Cli& cli, const std::string& format, const service::ActivityPage& page) {
  if (format == "csv") {
    std::cout << service::ActivityCsvHeader();
    for (const auto& r : page.items) std::cout << service::ActivityCsvRow(r);
    if (!page.next_cursor.empty()) std::cerr << "next page: --cursor " << page.next_cursor << "\n";
    return Status::Ok();
  }
  nlohmann::json items = nlohmann::json::array();
  for (const auto& r : page.items) items.push_back(http::ActivityRecordJson(r));
  if (format == "json" || cli.json()) {
    std::cout << nlohmann::json{{"items", items}, {"next_cursor", page.next_cursor}}.dump() << "\n";
    return Status::Ok();
  }
  std::string human;
  for (const auto& r : page.items) {
    human += std::to_string(r.id) + "  " + service::IsoTimeUs(r.at_us) + "  " + r.actor_name +
             "  " + r.protocol + "  " + r.address + "  " + r.action + "  " + r.result + "  " +
             r.path + (r.detail.empty() ? "" : "  (" + r.detail + ")") + "\n";
  }
  if (human.empty()) human = "(no records)\n";
  if (!page.next_cursor.empty()) human += "next page: --cursor " + page.next_cursor + "\n";
  std::cout << human;
  return Status::Ok();
}

}  // namespace

void AddAuditSearch(CLI::App& audit, Cli& cli) {
  auto a = std::make_shared<SearchArgs>();
  auto* cmd = audit.add_subcommand(
      "search",
      "Search the activity record, newest first; administrators see everyone's, others "
      "(--as) their own");
  cmd->add_option("--user", a->user, "Records of this user");
  cmd->add_option("--action", a->action, "This action exactly (e.g. file.upload)");
  cmd->add_option("--path", a->path, "Records whose path starts with this");
  cmd->add_option("--address", a->address, "From this source address exactly");
  cmd->add_option("--result", a->result, "ok, denied or error")
      ->check(CLI::IsMember({"ok", "denied", "error"}));
  cmd->add_option("--since", a->since, "From this time (unix seconds or ISO 8601 UTC)");
  cmd->add_option("--until", a->until, "Before this time");
  cmd->add_option("--cursor", a->cursor, "Continue after a previous page");
  cmd->add_option("--limit", a->limit, "Records per page (1 to [limits] max_page_size)")
      ->capture_default_str();
  cmd->add_option("--format", a->format, "text, json or csv")
      ->check(CLI::IsMember({"text", "json", "csv"}))
      ->capture_default_str();
  RunWithApp(cmd, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    service::ActivityQuery q;
    q.user = a->user;
    q.action = a->action;
    q.path_prefix = a->path;
    q.address = a->address;
    q.result = a->result;
    q.cursor = a->cursor;
    q.limit = a->limit;
    if (!a->since.empty()) {
      COFFER_ASSIGN_OR_RETURN(q.since_us, ParseTimeUs(a->since));
    }
    if (!a->until.empty()) {
      COFFER_ASSIGN_OR_RETURN(q.until_us, ParseTimeUs(a->until));
    }
    COFFER_ASSIGN_OR_RETURN(service::ActivityPage page, app.admin().SearchActivity(p, c, q));
    return PrintPage(cli, a->format, page);
  });
}

void AddAuditPrune(CLI::App& audit, Cli& cli) {
  auto* cmd = audit.add_subcommand(
      "prune",
      "Delete records older than [audit] retention_days, up to a signed checkpoint that "
      "becomes the chain's anchor (after verifying the whole chain); recorded as audit.prune");
  RunWithApp(cmd, cli, [&cli](app::App& app, const Principal& p, const Context& c) -> Status {
    if (app.config().audit.retention_days == 0) {
      return FailedPrecondition("[audit] retention_days is 0: every record is kept");
    }
    COFFER_ASSIGN_OR_RETURN(service::PruneReport r, app.admin().PruneActivity(p, c));
    std::string human = "removed " + std::to_string(r.removed) + " record(s)";
    human += r.anchor > 0 ? "; the chain starts after record " + std::to_string(r.anchor)
                          : "; nothing was old enough";
    cli.Print({{"removed", r.removed}, {"anchor_id", r.anchor}, {"cutoff_us", r.cutoff_us}}, human);
    return Status::Ok();
  });
}

}  // namespace coffer::cli
