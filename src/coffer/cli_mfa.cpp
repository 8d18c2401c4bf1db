// `coffer mfa ...` (a user's own TOTP second factor, with --as NAME, and the
// policy), `coffer user mfa status|reset` and `coffer passwords benchmark`
// (docs/security.md).
#include <fstream>
#include <regex>
#include <sstream>

#include "coffer/cli.h"
#include "service/passwords.h"

namespace coffer::cli {

namespace {

using service::Context;
using service::Principal;

struct MfaArgs {
  std::string user, code, group, state;
  uint32_t target_ms = 300;
  uint32_t max_memory_mib = 64;
  bool write = false;
};

std::string Lines(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

void AddSelfCommands(CLI::App* mfa, Cli& cli, std::shared_ptr<MfaArgs> a) {
  RunWithApp(mfa->add_subcommand("enrol", "Begin enrolling a TOTP app (use with --as NAME)"), cli,
             [&cli](app::App& app, const Principal& p, const Context& c) -> Status {
               COFFER_ASSIGN_OR_RETURN(auto e, app.mfa().BeginEnrolment(p, c));
               cli.Print({{"secret", e.secret_base32}, {"uri", e.otpauth_uri}, {"svg", e.qr_svg}},
                         "Secret: " + e.secret_base32 + "\nURI:    " + e.otpauth_uri +
                             "\nConfirm with `coffer --as " + p.name + " mfa confirm CODE`.");
               return Status::Ok();
             });
  auto* confirm = mfa->add_subcommand("confirm", "Confirm enrolment with a code from the app");
  confirm->add_option("code", a->code, "6-digit code")->required();
  RunWithApp(confirm, cli,
             [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
               COFFER_ASSIGN_OR_RETURN(auto codes, app.mfa().ConfirmEnrolment(p, c, a->code));
               cli.Print({{"recovery_codes", codes}},
                         "Second factor enabled. Recovery codes (each works once; shown once):\n" +
                             Lines(codes).substr(0, Lines(codes).size() - 1));
               return Status::Ok();
             });
  auto* disable = mfa->add_subcommand("disable", "Turn off your second factor (needs a code)");
  disable->add_option("code", a->code, "6-digit code")->required();
  RunWithApp(disable, cli,
             [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
               COFFER_RETURN_IF_ERROR(app.mfa().Disable(p, c, a->code));
               Confirm(cli, "Second factor disabled for " + p.name);
               return Status::Ok();
             });
}

void AddPolicyCommands(CLI::App* mfa, Cli& cli, std::shared_ptr<MfaArgs> a) {
  auto* policy = mfa->add_subcommand("policy", "Who must use a second factor");
  RunWithApp(
      policy->add_subcommand("show", "Show the policy"), cli,
      [&cli](app::App& app, const Principal& p, const Context& c) -> Status {
        COFFER_ASSIGN_OR_RETURN(auto pol, app.mfa().GetPolicy(p, c));
        std::string groups;
        for (const auto& g : pol.groups_required) groups += (groups.empty() ? "" : ", ") + g;
        cli.Print(
            {{"admins_required", pol.admins_required}, {"groups_required", pol.groups_required}},
            std::string("administrators: ") + (pol.admins_required ? "required" : "not required") +
                "\ngroups:         " + (groups.empty() ? "none" : groups));
        return Status::Ok();
      });
  auto* admins = policy->add_subcommand("admins", "Require it for administrators (default on)");
  admins->add_option("state", a->state, "on or off")
      ->required()
      ->check(CLI::IsMember({"on", "off"}));
  RunWithApp(admins, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_RETURN_IF_ERROR(app.mfa().SetAdminsRequired(p, c, a->state == "on"));
    Confirm(cli, "Second factor for administrators: " + a->state);
    return Status::Ok();
  });
  auto* group = policy->add_subcommand("group", "Require it for the members of a group");
  group->add_option("name", a->group, "Group name")->required();
  group->add_option("state", a->state, "on or off")
      ->required()
      ->check(CLI::IsMember({"on", "off"}));
  RunWithApp(group, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_RETURN_IF_ERROR(app.mfa().SetGroupRequired(p, c, a->group, a->state == "on"));
    Confirm(cli, "Second factor for group " + a->group + ": " + a->state);
    return Status::Ok();
  });
}

// Sets both Argon2id keys in [accounts] of the configuration text.
Result<std::string> WithParams(std::string text, const service::PasswordParams& params) {
  const std::string ops = "argon2_opslimit = " + std::to_string(params.opslimit);
  const std::string mem = "argon2_memlimit_kib = " + std::to_string(params.memlimit_bytes / 1024);
  std::regex ops_re(R"((^|\n)argon2_opslimit[ \t]*=[^\n]*)");
  std::regex mem_re(R"((^|\n)argon2_memlimit_kib[ \t]*=[^\n]*)");
  bool has_ops = std::regex_search(text, ops_re), has_mem = std::regex_search(text, mem_re);
  text = std::regex_replace(text, ops_re, "$1" + ops);
  text = std::regex_replace(text, mem_re, "$1" + mem);
  std::string add = (has_ops ? "" : ops + "\n") + (has_mem ? "" : mem + "\n");
  if (!add.empty()) {
    size_t at = text.find("[accounts]\n");
    if (at == std::string::npos) {
      text += "\n[accounts]\n" + add;
    } else {
      text.insert(at + 11, add);
    }
  }
  return text;
}

Status WriteParams(const std::filesystem::path& file, const service::PasswordParams& params) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return FailedPrecondition("cannot read " + file.string());
  std::stringstream buf;
  buf << in.rdbuf();
  COFFER_ASSIGN_OR_RETURN(std::string text, WithParams(buf.str(), params));
  COFFER_ASSIGN_OR_RETURN(auto parsed, config::ParseConfig(text, file));  // never write a bad file
  (void)parsed;
  auto tmp = file;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return IoError("cannot write " + tmp.string());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) return IoError("cannot replace " + file.string());
  return Status::Ok();
}

void AddBenchmarkCommand(CLI::App& root, Cli& cli) {
  auto a = std::make_shared<MfaArgs>();
  auto* pw = root.add_subcommand("passwords", "Password hashing");
  pw->require_subcommand(1);
  auto* bench = pw->add_subcommand("benchmark", "Measure Argon2id here and choose its cost");
  bench->add_option("--target-ms", a->target_ms, "Time per hash to aim for (default 300)")
      ->check(CLI::Range(10, 10000));
  bench
      ->add_option("--max-memory-mib", a->max_memory_mib,
                   "Memory per hash at most (default 64; every concurrent sign-in uses it)")
      ->check(CLI::Range(8, 4096));
  bench->add_flag("--write", a->write, "Write the result into the configuration's [accounts]");
  bench->callback([&cli, a] {
    cli.Set([&cli, a] {
      auto r = service::BenchmarkPasswordParams(a->target_ms, a->max_memory_mib * 1024);
      if (!r.ok()) return Fail(r.status());
      const auto& p = r->params;
      if (a->write) {
        if (Status st = WriteParams(cli.ConfigFile(), p); !st.ok()) return Fail(st);
      }
      char ms[32];
      std::snprintf(ms, sizeof ms, "%.0f", r->milliseconds);
      cli.Print({{"argon2_opslimit", p.opslimit},
                 {"argon2_memlimit_kib", p.memlimit_bytes / 1024},
                 {"milliseconds", r->milliseconds},
                 {"written", a->write}},
                "argon2_opslimit = " + std::to_string(p.opslimit) + "\nargon2_memlimit_kib = " +
                    std::to_string(p.memlimit_bytes / 1024) + "\n(one hash: " + ms + " ms" +
                    (a->write ? "; written to " + cli.ConfigFile().string() + ")" : ")"));
      return 0;
    });
  });
}

}  // namespace

void AddMfaCommands(CLI::App& root, Cli& cli) {
  auto a = std::make_shared<MfaArgs>();
  auto* mfa = root.add_subcommand("mfa", "TOTP second factor: your own (--as NAME) and the policy");
  mfa->require_subcommand(1);
  AddSelfCommands(mfa, cli, a);
  AddPolicyCommands(mfa, cli, a);
  AddBenchmarkCommand(root, cli);
}

void AddUserMfaCommands(CLI::App* user, Cli& cli) {
  auto a = std::make_shared<MfaArgs>();
  auto* mfa = user->add_subcommand("mfa", "A user's second factor (administrators)");
  mfa->require_subcommand(1);
  auto* status = mfa->add_subcommand("status", "Whether a user must use and has a second factor");
  status->add_option("name", a->user, "User name")->required();
  RunWithApp(status, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_ASSIGN_OR_RETURN(auto s, app.mfa().GetStatus(p, c, a->user));
    cli.Print(
        {{"user", s.user},
         {"required", s.required},
         {"enrolled", s.enrolled},
         {"secret_ok", s.secret_ok},
         {"enabled_at", s.enabled_at},
         {"recovery_codes_left", s.recovery_codes_left}},
        "user:           " + s.user + "\nrequired:       " + (s.required ? "yes" : "no") +
            "\nenrolled:       " + (s.enrolled ? "yes" : "no") +
            (s.enrolled && !s.secret_ok ? " (stored secret missing or forged: reset it)" : "") +
            "\nrecovery codes: " + std::to_string(s.recovery_codes_left));
    return Status::Ok();
  });
  auto* reset = mfa->add_subcommand("reset", "Remove a user's second factor (e.g. a lost phone)");
  reset->add_option("name", a->user, "User name")->required();
  RunWithApp(reset, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_RETURN_IF_ERROR(app.mfa().Reset(p, c, a->user));
    Confirm(cli, "Reset the second factor of " + a->user);
    return Status::Ok();
  });
}

}  // namespace coffer::cli
