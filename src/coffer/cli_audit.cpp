// `coffer audit pubkey` and `coffer audit verify` (docs/audit.md).
#include "coffer/cli.h"
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
          {"signed_id", r.signed_id}};
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
  if (r.last_id > r.signed_id) {
    text += "\nnote: " + std::to_string(r.last_id - r.signed_id) +
            " newest record(s) are not yet covered by a signed checkpoint";
  }
  return text;
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
  verify->callback([&cli, pubkey] {
    cli.Set([&cli, pubkey] {
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

void AddAuditCommands(CLI::App& root, Cli& cli) {
  auto* audit = root.add_subcommand("audit", "Check and print the tamper-evident activity record");
  audit->require_subcommand(1);
  AddPubkey(*audit, cli);
  AddVerify(*audit, cli);
}

}  // namespace coffer::cli
