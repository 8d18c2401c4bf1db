// `coffer audit pubkey` and `coffer audit verify` (docs/audit.md).
#include <ctime>
#include <fstream>
#include <iostream>

#include "coffer/audit_export.h"
#include "coffer/cli.h"
#include "coffer/cli_audit.h"
#include "service/audit_trail.h"

namespace coffer::cli {

namespace {

using service::Context;
using service::Principal;

int ExitCodeOf(audit::Finding f) {
  switch (f) {
    case audit::Finding::kOk:
      return 0;
    case audit::Finding::kAltered:
      return kExitAuditAltered;
    case audit::Finding::kRemoved:
      return kExitAuditRemoved;
    case audit::Finding::kInserted:
      return kExitAuditInserted;
    case audit::Finding::kReordered:
      return kExitAuditReordered;
    case audit::Finding::kCheckpointForged:
      return kExitAuditCheckpointForged;
    case audit::Finding::kTruncated:
      return kExitAuditTruncated;
  }
  return 1;
}

Status RequireAdmin(const Principal& p) {
  return p.is_admin() ? Status::Ok()
                      : PermissionDenied("the audit commands are for administrators");
}

void AddPubkey(CLI::App& audit, Cli& cli) {
  auto* pubkey = audit.add_subcommand(
      "pubkey", "Print the key that verifies audit checkpoints; keep a copy off this server");
  pubkey->callback([&cli] {
    cli.Set([&cli] {
      return cli.WithApp([&cli](app::App& app, const Principal& p, const Context&) -> Status {
        COFFER_RETURN_IF_ERROR(RequireAdmin(p));
        std::string hex = ToHex(app.audit_key().public_key());
        cli.Print({{"public_key", hex}, {"algorithm", "ed25519"}}, hex);
        return Status::Ok();
      });
    });
  });
}

nlohmann::json ReportJson(const audit::Report& r) {
  return {{"result", audit::FindingName(r.finding)},
          {"record_id", r.record_id},
          {"checkpoint_id", r.checkpoint_id},
          {"detail", r.detail},
          {"records", r.records},
          {"unchained", r.unchained},
          {"checkpoints", r.checkpoints},
          {"last_id", r.last_id},
          {"signed_id", r.signed_id},
          {"anchor_id", r.anchor_id}};
}

std::string ReportText(const audit::Report& r) {
  std::string counts = std::to_string(r.records) + " chained record(s), " +
                       std::to_string(r.checkpoints) + " valid checkpoint(s)";
  if (r.unchained > 0) counts += ", " + std::to_string(r.unchained) + " unchained (pre-chain)";
  if (r.finding != audit::Finding::kOk) {
    return "AUDIT RECORD TAMPERED: " + std::string(audit::FindingName(r.finding)) + " at record " +
           std::to_string(r.record_id) + ": " + r.detail + "\n(checked before it: " + counts + ")";
  }
  std::string text = "audit record intact: " + counts + "; last record " +
                     std::to_string(r.last_id) + ", signed up to " + std::to_string(r.signed_id);
  if (r.anchor_id > 0) {
    text += "\nanchor: records up to " + std::to_string(r.anchor_id) +
            " were pruned; the chain starts at that signed checkpoint";
  }
  if (r.last_id > r.signed_id) {
    text += "\nnote: " + std::to_string(r.last_id - r.signed_id) +
            " newest record(s) are not yet covered by a signed checkpoint";
  }
  return text;
}

int VerifyFile(Cli& cli, const std::string& path, const std::string& pubkey) {
  if (pubkey.empty()) return Fail(InvalidArgument("verify --file needs --pubkey KEY"));
  auto key = audit::ParsePublicKey(pubkey);
  if (!key.ok()) return Fail(key.status());
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(NotFound("cannot read " + path));
  auto report = VerifyExport(in, *key);
  if (!report.ok()) return Fail(report.status());
  cli.Print(ReportJson(*report), ReportText(*report));
  return ExitCodeOf(report->finding);
}

void AddVerify(CLI::App& audit, Cli& cli) {
  auto pubkey = std::make_shared<std::string>();
  auto* verify = audit.add_subcommand(
      "verify",
      "Check the hash chain and signed checkpoints of the activity record; report the "
      "first record altered, removed, inserted or reordered, a forged checkpoint or a "
      "truncated tail (exit codes 9 to 14)");
  verify->add_option("--pubkey", *pubkey,
                     "Verify against this key (64 hex digits, from `coffer audit pubkey`, kept "
                     "off the server) instead of the key file");
  auto file = std::make_shared<std::string>();
  verify->add_option("--file", *file,
                     "Verify an export (`coffer audit export`) on its own, with --pubkey; needs "
                     "no data directory");
  verify->callback([&cli, pubkey, file] {
    cli.Set([&cli, pubkey, file] {
      if (!file->empty()) return VerifyFile(cli, *file, *pubkey);
      auto code = std::make_shared<int>(0);
      int rc = cli.WithApp([&cli, pubkey, code](app::App& app, const Principal& p,
                                                const Context&) -> Status {
        COFFER_RETURN_IF_ERROR(RequireAdmin(p));
        audit::PublicKey key = app.audit_key().public_key();
        if (!pubkey->empty()) {
          COFFER_ASSIGN_OR_RETURN(key, audit::ParsePublicKey(*pubkey));
        }
        COFFER_ASSIGN_OR_RETURN(audit::Report report, service::VerifyAuditTrail(app.store(), key));
        cli.Print(ReportJson(report), ReportText(report));
        *code = ExitCodeOf(report.finding);
        return Status::Ok();
      });
      return rc != 0 ? rc : *code;
    });
  });
}

}  // namespace

Result<int64_t> ParseTimeUs(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  char tail = 0;
  std::tm tm{};
  bool full = std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &sec,
                          &tail) == 7 &&
              tail == 'Z';
  bool date = std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &mo, &d, &tail) == 3;
  if (full || date) {
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    return int64_t{timegm(&tm)} * 1'000'000;
  }
  size_t used = 0;
  try {
    long long v = std::stoll(text, &used);
    if (used == text.size() && v >= 0) return int64_t{v} * 1'000'000;
  } catch (const std::exception&) {
  }
  return InvalidArgument("a time is unix seconds or 2026-11-29[T01:30:00Z]: " + text);
}

namespace {

void AddExport(CLI::App& audit, Cli& cli) {
  struct Args {
    std::string since, until, out;
  };
  auto a = std::make_shared<Args>();
  auto* exp = audit.add_subcommand(
      "export",
      "Write the activity record as JSON lines with its hashes and checkpoints, so the "
      "file verifies on its own (coffer audit verify --file)");
  exp->add_option("--since", a->since, "First time included (unix seconds or ISO 8601 UTC)");
  exp->add_option("--until", a->until, "End time, excluded");
  exp->add_option("--out", a->out, "Write here instead of standard output");
  exp->callback([&cli, a] {
    cli.Set([&cli, a] {
      return cli.WithApp([a](app::App& app, const Principal& p, const Context&) -> Status {
        COFFER_RETURN_IF_ERROR(RequireAdmin(p));
        ExportRange range;
        if (!a->since.empty()) {
          COFFER_ASSIGN_OR_RETURN(range.since_us, ParseTimeUs(a->since));
        }
        if (!a->until.empty()) {
          COFFER_ASSIGN_OR_RETURN(range.until_us, ParseTimeUs(a->until));
        }
        if (a->out.empty()) return ExportAudit(app.store(), range, std::cout).status();
        std::ofstream out(a->out, std::ios::binary | std::ios::trunc);
        if (!out) return IoError("cannot create " + a->out);
        COFFER_RETURN_IF_ERROR(ExportAudit(app.store(), range, out).status());
        out.close();
        return out ? Status::Ok() : IoError("cannot write " + a->out);
      });
    });
  });
}

}  // namespace

void AddAuditCommands(CLI::App& root, Cli& cli) {
  auto* audit = root.add_subcommand("audit", "Check and print the tamper-evident activity record");
  audit->require_subcommand(1);
  AddPubkey(*audit, cli);
  AddVerify(*audit, cli);
  AddExport(*audit, cli);
  AddAuditSearch(*audit, cli);
  AddAuditPrune(*audit, cli);
}

}  // namespace coffer::cli
