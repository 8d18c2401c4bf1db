// Shared pieces of the `coffer` command line: global options, opening the data
// directory, the acting principal, output (people or --json) and exit codes.
//
// Exit codes (stable, for scripts): 0 ok; 1 I/O or internal error; 2 bad usage or
// invalid argument; 3 not found; 4 permission denied; 5 already exists or
// conflict; 6 quota or limit exceeded; 7 integrity failure; 8 failed precondition
// (e.g. no data directory, directory in use).
// `coffer audit verify` adds (kExitAudit*): 9 a record altered; 10 a record
// removed; 11 a record inserted; 12 records reordered; 13 a checkpoint forged;
// 14 the record truncated after its last record.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>

#include "coffer/app.h"
#include "service/principal.h"
#include "util/status.h"

namespace coffer::cli {

struct Globals {
  std::string data_dir;
  std::string config_file;
  std::string as_user;  // act as this user instead of the system principal
  bool json = false;
};

// What a parsed subcommand runs; returns the exit code.
using Action = std::function<int()>;

class Cli {
 public:
  explicit Cli(CLI::App& root);
  Globals& globals() { return globals_; }
  void Set(Action action) { action_ = std::move(action); }
  int Run() { return action_ ? action_() : 0; }

  // Opens the data directory and calls `fn` with the app, principal and context.
  int WithApp(const std::function<Status(app::App&, const service::Principal&,
                                         const service::Context&)>& fn,
              bool exclusive = false);

  bool json() const { return globals_.json; }
  // Prints a result for people or as one JSON document.
  void Print(const nlohmann::json& doc, const std::string& human) const;
  std::filesystem::path ConfigFile() const;

 private:
  Globals globals_;
  Action action_;
};

// Makes `cmd` run `fn` with the opened data directory when it is chosen.
void RunWithApp(
    CLI::App* cmd, Cli& cli,
    std::function<Status(app::App&, const service::Principal&, const service::Context&)> fn);
// Prints a one-line confirmation ({"ok": true, "message": ...} with --json).
void Confirm(const Cli& cli, const std::string& message);

int ExitCode(const Status& st);
int Fail(const Status& st);  // prints "coffer: error: ..." and returns the exit code

// "1048576", "10MiB", "1.5G", "0" → bytes. Binary units: K/KiB, M/MiB, G/GiB, T/TiB.
Result<int64_t> ParseSize(std::string_view text);
std::string HumanSize(int64_t bytes);
std::string FormatTime(int64_t unix_seconds);
// Reads a secret from a file ("-": standard input), first line, at most 1 KiB.
Result<std::string> ReadSecretFile(const std::string& path);

void AddInitCommands(CLI::App& root, Cli& cli);       // init, serve
void AddUserCommands(CLI::App& root, Cli& cli);       // user, group
void AddUserKeyCommands(CLI::App* user, Cli& cli);    // user key
void AddUserUnlockCommand(CLI::App* user, Cli& cli);  // user unlock
void AddUserMfaCommands(CLI::App* user, Cli& cli);    // user mfa status|reset
void AddMfaCommands(CLI::App& root, Cli& cli);        // mfa, passwords benchmark
void AddSecurityCommands(CLI::App& root, Cli& cli);   // ban, iprule
void AddFolderCommands(CLI::App& root, Cli& cli);     // folder, grant, revoke
void AddFileCommands(CLI::App& root, Cli& cli);       // files
void AddKeysCommands(CLI::App& root, Cli& cli);       // keys, activity
void AddAuditCommands(CLI::App& root, Cli& cli);
void AddSessionCommands(CLI::App& root, Cli& cli);    // token, session, lockdown      // audit pubkey, verify

inline constexpr int kExitAuditAltered = 9;
inline constexpr int kExitAuditRemoved = 10;
inline constexpr int kExitAuditInserted = 11;
inline constexpr int kExitAuditReordered = 12;
inline constexpr int kExitAuditCheckpointForged = 13;
inline constexpr int kExitAuditTruncated = 14;

}  // namespace coffer::cli
