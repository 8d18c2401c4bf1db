// `coffer user key add|list|remove`: users' SSH public keys for SFTP sign-in.
#include <fstream>
#include <iostream>
#include <sstream>

#include "coffer/cli.h"

namespace coffer::cli {

namespace {

using service::Context;
using service::Principal;

struct KeyArgs {
  std::string user;
  std::string file;
  std::string fingerprint;
};

// One authorized_keys line from a file or standard input ("-"), at most 16 KiB.
Result<std::string> ReadKeyLine(const std::string& path) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path);
    if (!file) return InvalidArgument("cannot read " + path);
    in = &file;
  }
  std::string line;
  std::getline(*in, line);
  if (line.size() > 16 * 1024) return LimitExceeded("the key line is over 16 KiB");
  return line;
}

nlohmann::json ToJson(const service::SshKeyInfo& k) {
  return {{"algorithm", k.algorithm},
          {"fingerprint", k.fingerprint},
          {"comment", k.comment},
          {"created_at", k.created_at},
          {"last_used_at", k.last_used_at}};
}

}  // namespace

void AddUserKeyCommands(CLI::App* user, Cli& cli) {
  auto* key = user->add_subcommand("key", "Manage a user's SSH public keys (SFTP sign-in)");
  key->require_subcommand(1);
  auto a = std::make_shared<KeyArgs>();

  auto* add = key->add_subcommand("add", "Add a public key (one authorized_keys line)");
  add->add_option("name", a->user, "User name")->required();
  add->add_option("file", a->file, "File holding the key, e.g. id_ed25519.pub ('-': stdin)")
      ->required();
  RunWithApp(add, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_ASSIGN_OR_RETURN(std::string line, ReadKeyLine(a->file));
    COFFER_ASSIGN_OR_RETURN(auto k, app.admin().AddSshKey(p, c, a->user, line));
    cli.Print(ToJson(k), "Added " + k.algorithm + " key " + k.fingerprint + " for " + a->user);
    return Status::Ok();
  });

  auto* list = key->add_subcommand("list", "List a user's public keys");
  list->add_option("name", a->user, "User name")->required();
  RunWithApp(list, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_ASSIGN_OR_RETURN(auto keys, app.admin().ListSshKeys(p, c, a->user));
    nlohmann::json doc = nlohmann::json::array();
    std::ostringstream out;
    for (const auto& k : keys) {
      doc.push_back(ToJson(k));
      out << k.fingerprint << "  " << k.algorithm << "  " << (k.comment.empty() ? "-" : k.comment)
          << "  added " << FormatTime(k.created_at) << "  last used "
          << (k.last_used_at ? FormatTime(k.last_used_at) : "never") << "\n";
    }
    if (keys.empty()) out << a->user << " has no SSH keys\n";
    std::string human = out.str();
    human.pop_back();
    cli.Print(doc, human);
    return Status::Ok();
  });

  auto* remove = key->add_subcommand("remove", "Remove a public key by its fingerprint");
  remove->add_option("name", a->user, "User name")->required();
  remove->add_option("fingerprint", a->fingerprint, "SHA256:... as `key list` shows it")
      ->required();
  RunWithApp(remove, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_RETURN_IF_ERROR(app.admin().RemoveSshKey(p, c, a->user, a->fingerprint));
    cli.Print({{"ok", true}}, "Removed key " + a->fingerprint + " of " + a->user);
    return Status::Ok();
  });
}

}  // namespace coffer::cli
