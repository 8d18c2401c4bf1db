#include "coffer/cli.h"

#include <cmath>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>

#include <spdlog/spdlog.h>

namespace coffer::cli {

Cli::Cli(CLI::App& root) {
  root.add_option("--data", globals_.data_dir,
                  "Data directory (default: $COFFER_DATA); its coffer.toml is used")
      ->envname("COFFER_DATA");
  root.add_option("--config", globals_.config_file, "Configuration file (instead of --data)");
  root.add_option("--as", globals_.as_user,
                  "Act as this user, with exactly their permissions (default: the audited "
                  "system administrator)");
  root.add_flag("--json", globals_.json, "Print results as JSON for scripts");
}

std::filesystem::path Cli::ConfigFile() const {
  if (!globals_.config_file.empty()) return globals_.config_file;
  return app::ConfigFileOf(globals_.data_dir);
}

int Cli::WithApp(
    const std::function<Status(app::App&, const service::Principal&, const service::Context&)>& fn,
    bool exclusive) {
  if (globals_.config_file.empty() && globals_.data_dir.empty()) {
    return Fail(FailedPrecondition("no data directory: pass --data DIR or set COFFER_DATA"));
  }
  auto app = app::App::Open(ConfigFile(), exclusive);
  if (!app.ok()) return Fail(app.status());
  service::Context context{"cli", "local", ""};
  service::Principal principal = service::Principal::System();
  if (!globals_.as_user.empty()) {
    auto p = (*app)->admin().PrincipalFor(globals_.as_user);
    if (!p.ok()) return Fail(p.status());
    principal = *p;
  }
  return Fail(fn(**app, principal, context));
}

void Cli::Print(const nlohmann::json& doc, const std::string& human) const {
  if (globals_.json) {
    std::cout << doc.dump(2) << "\n";
  } else if (!human.empty()) {
    std::cout << human;
    if (human.back() != '\n') std::cout << "\n";
  }
}

int ExitCode(const Status& st) {
  switch (st.code()) {
    case Code::kOk:
      return 0;
    case Code::kInvalidArgument:
      return 2;
    case Code::kNotFound:
      return 3;
    case Code::kPermissionDenied:
    case Code::kUnauthenticated:
      return 4;
    case Code::kAlreadyExists:
    case Code::kConflict:
      return 5;
    case Code::kQuotaExceeded:
    case Code::kLimitExceeded:
      return 6;
    case Code::kIntegrity:
      return 7;
    case Code::kFailedPrecondition:
      return 8;
    case Code::kIo:
    case Code::kInternal:
      return 1;
  }
  return 1;
}

int Fail(const Status& st) {
  if (!st.ok()) std::cerr << "coffer: error: " << st.message() << "\n";
  return ExitCode(st);
}

Result<int64_t> ParseSize(std::string_view text) {
  auto bad = [&] {
    return InvalidArgument("invalid size \"" + std::string(text.substr(0, 40)) +
                           "\" (examples: 1048576, 500MiB, 2G)");
  };
  if (text.empty() || text.size() > 32) return bad();
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  std::string number(text.substr(0, i));
  std::string unit(text.substr(i));
  static const std::pair<const char*, int> kUnits[] = {{"", 0},  {"B", 0},   {"K", 1}, {"KiB", 1},
                                                       {"M", 2}, {"MiB", 2}, {"G", 3}, {"GiB", 3},
                                                       {"T", 4}, {"TiB", 4}};
  int power = -1;
  for (const auto& [name, p] : kUnits) {
    if (unit == name) power = p;
  }
  if (number.empty() || power < 0 || std::count(number.begin(), number.end(), '.') > 1)
    return bad();
  double value = std::strtod(number.c_str(), nullptr);
  double bytes = value * std::pow(1024.0, power);
  if (!std::isfinite(bytes) || bytes < 0 || bytes > 9.0e18) return bad();
  return static_cast<int64_t>(bytes);
}

std::string HumanSize(int64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, kUnits[u]);
  return buf;
}

std::string FormatTime(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

void RunWithApp(
    CLI::App* cmd, Cli& cli,
    std::function<Status(app::App&, const service::Principal&, const service::Context&)> fn) {
  cmd->callback([&cli, fn] { cli.Set([&cli, fn] { return cli.WithApp(fn); }); });
}

void Confirm(const Cli& cli, const std::string& message) {
  cli.Print({{"ok", true}, {"message", message}}, message);
}

Result<std::string> ReadSecretFile(const std::string& path) {
  std::string line;
  if (path == "-") {
    std::getline(std::cin, line);
  } else {
    std::ifstream in(path);
    if (!in) return InvalidArgument("cannot read " + path);
    std::getline(in, line);
  }
  if (line.size() > 1024) return LimitExceeded("secret is longer than 1 KiB");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) return InvalidArgument("the password file is empty");
  return line;
}

}  // namespace coffer::cli
