// The `coffer` binary: init, serve and the admin commands. Every command that
// touches data goes through the service layer as an audited principal.
#include <sodium.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "coffer/cli.h"

int main(int argc, char** argv) {
  if (sodium_init() < 0) {
    std::cerr << "coffer: error: libsodium failed to start\n";
    return 1;
  }
  // Logs go to standard error: standard output carries results (and --json).
  spdlog::set_default_logger(spdlog::stderr_color_mt("coffer"));
  spdlog::set_level(spdlog::level::warn);
  CLI::App root{
      "Coffer: a managed file transfer server. Content is encrypted with keys the database "
      "never holds; every action is recorded.\n",
      "coffer"};
  root.require_subcommand(1);
  // Global options (--data, --json, --as) may also follow the subcommand.
  root.fallthrough();
  root.set_version_flag("--version", "coffer 0.1.0");
  root.footer(
      "Exit codes: 0 ok, 1 I/O or internal error, 2 invalid argument, 3 not found, 4 permission "
      "denied, 5 already exists, 6 quota or limit exceeded, 7 integrity failure, 8 failed "
      "precondition; audit verify: 9 altered, 10 removed, 11 inserted, 12 reordered, 13 checkpoint "
      "forged, 14 truncated.\nSee docs/cli.md for every command.");
  coffer::cli::Cli cli(root);
  coffer::cli::AddInitCommands(root, cli);
  coffer::cli::AddUserCommands(root, cli);
  coffer::cli::AddFolderCommands(root, cli);
  coffer::cli::AddFileCommands(root, cli);
  coffer::cli::AddKeysCommands(root, cli);
  coffer::cli::AddSecurityCommands(root, cli);
  coffer::cli::AddAuditCommands(root, cli);
  coffer::cli::AddSessionCommands(root, cli);
  coffer::cli::AddMfaCommands(root, cli);
  try {
    root.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = root.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return cli.Run();
}
