// `coffer init` and `coffer serve`.
#include <signal.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <thread>

#include "coffer/audit_jobs.h"
#include "coffer/cli.h"
#include "coffer/init.h"
#include "http/api.h"
#include "http/auth.h"
#include "http/server.h"
#include "sftp/ssh_server.h"

namespace coffer::cli {

namespace {

int RunInit(Cli& cli, const std::string& admin, const std::string& password_file) {
  app::InitOptions options;
  options.data_dir = cli.globals().data_dir;
  if (options.data_dir.empty()) {
    return Fail(InvalidArgument("init needs --data DIR (or COFFER_DATA)"));
  }
  options.admin_name = admin;
  if (!password_file.empty()) {
    auto pw = ReadSecretFile(password_file);
    if (!pw.ok()) return Fail(pw.status());
    options.admin_password = *pw;
  }
  auto r = app::InitDataDir(options);
  if (!r.ok()) return Fail(r.status());
  nlohmann::json doc = {{"data_dir", r->data_dir.string()}, {"admin", r->admin_name}};
  std::string human = "Created data directory " + r->data_dir.string() + "\n";
  if (!r->generated_password.empty()) {
    doc["password"] = r->generated_password;
    human += "Administrator: " + r->admin_name + "\nOne-time password: " + r->generated_password +
             "\n(shown once; it must be changed at first sign-in. Keep the keys/ folder backed "
             "up separately: without it no stored file can be read.)\n";
  } else {
    human += "Administrator: " + r->admin_name + " (password from file)\n";
  }
  cli.Print(doc, human);
  return 0;
}

// Background work while serving: the recycle-bin purge, at the configured interval.
class Purger {
 public:
  explicit Purger(app::App& app) : app_(app), thread_([this] { Loop(); }) {}
  ~Purger() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void Loop() {
    auto interval = std::chrono::seconds(app_.config().retention.purge_interval_seconds);
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      auto n = app_.files().PurgeExpired({"system", "local", "purge"});
      if (!n.ok()) spdlog::error("recycle purge failed: {}", n.status().ToString());
      if (n.ok() && *n > 0) spdlog::info("recycle purge removed {} item(s)", *n);
      auto expired = app_.uploads().PurgeExpired({"system", "local", "purge"});
      if (!expired.ok()) spdlog::error("upload purge failed: {}", expired.status().ToString());
      auto ended = app_.sessions().PurgeExpired();
      if (!ended.ok()) spdlog::error("session purge failed: {}", ended.status().ToString());
      lock.lock();
      cv_.wait_for(lock, interval, [this] { return stop_; });
    }
  }
  app::App& app_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

void PrintBanner(app::App& app, const sftp::SshServer* sftp_server,
                 const std::string& https_endpoint) {
  const std::string data = app.config().data_dir.string();
  std::cout << "Coffer 0.1.0 serving " << data << "\n";
  if (sftp_server) {
    std::string endpoint = sftp_server->endpoint();
    std::string host = endpoint.substr(0, endpoint.rfind(':'));
    std::string port = endpoint.substr(endpoint.rfind(':') + 1);
    std::cout << "Listening: SFTP on " << endpoint << "\n"
              << "  sftp -P " << port << " admin@" << host << "\n";
  } else {
    std::cout << "Listening: SFTP is disabled ([sftp] enabled = false)\n";
  }
  std::cout << "Listening: https://" << https_endpoint
            << "/api/v1/ (HTTPS REST API; sign-in over HTTPS is not available yet)\n";
  std::cout << "Running: file service, recycle-bin purge every "
            << app.config().retention.purge_interval_seconds << " s.\n"
            << "Sign in as \"admin\" over SFTP with an SSH key, or with a password of your own "
               "(the one-time password from `coffer init` must be replaced first):\n"
            << "  coffer --data " << data << " user key add admin ~/.ssh/id_ed25519.pub\n"
            << "  coffer --data " << data
            << " user passwd admin --password-file - "
               "--no-force-change\n"
            << "Stop with Ctrl-C." << std::endl;
}

// Signs the audit chain head every [audit] checkpoint_every_seconds when records
// are not yet covered, and once more when stopping, so a quiet server never
// leaves its last records unsigned for long.
class AuditCheckpointer {
 public:
  explicit AuditCheckpointer(app::App& app) : app_(app), thread_([this] { Loop(); }) {}
  ~AuditCheckpointer() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    Sign();
  }

 private:
  void Sign() {
    Status st = app_.activity().Checkpoint();
    if (!st.ok()) spdlog::error("audit checkpoint failed: {}", st.ToString());
  }
  void Loop() {
    auto interval = std::chrono::seconds(app_.config().audit.checkpoint_every_seconds);
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, interval, [this] { return stop_; })) {
      lock.unlock();
      Sign();
      lock.lock();
    }
  }
  app::App& app_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

// The [http] settings of the administration listener: those of the public one
// at admin_listen:admin_port, with at most two worker threads.
config::Config AdminListenerConfig(const config::Config& config) {
  config::Config c = config;
  c.http.listen = config.http.admin_listen;
  c.http.port = config.http.admin_port;
  c.http.threads = std::min<uint32_t>(config.http.threads, 2);
  return c;
}

Status Serve(app::App& app) {
  COFFER_ASSIGN_OR_RETURN(
      app::FileLock serving,
      app::FileLock::Acquire(app.config().data_dir / "serve.lock", true, "a running server"));
  spdlog::set_level(spdlog::level::from_str(app.config().log_level));
  COFFER_ASSIGN_OR_RETURN(uint64_t swept, app.SweepOrphans());
  if (swept > 0)
    spdlog::warn("removed {} incomplete or unreferenced blob(s) left by a crash", swept);
  COFFER_ASSIGN_OR_RETURN(uint64_t abandoned,
                          app.uploads().SweepAtStart({"system", "local", "start"}));
  if (abandoned > 0) spdlog::info("removed {} expired or orphaned resumable upload(s)", abandoned);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  Purger purger(app);
  AuditCheckpointer checkpointer(app);
  app::AuditJobs audit_jobs(app);
  std::unique_ptr<sftp::SshServer> sftp_server;
  if (app.config().sftp.enabled) {
    sftp_server =
        std::make_unique<sftp::SshServer>(app.config(), app.files(), app.admin(), app.mfa());
    COFFER_RETURN_IF_ERROR(sftp_server->Start());
  }
  http::SessionAuthenticator callers(app.sessions(), app.admin());
  http::ApiServices services{app.files(),    app.admin(),       callers,
                             app.sessions(), &app.uploads(), &app.mfa()};
  // With [http] admin_listen set, administration is served only by a listener of its own.
  const bool admin_apart = !app.config().http.admin_listen.empty();
  http::Api api(services, http::ApiOptions{.admin_routes = !admin_apart});
  http::Server https(app.config(), api);
  COFFER_RETURN_IF_ERROR(https.Start());
  config::Config admin_config = AdminListenerConfig(app.config());
  http::Api admin_api(services);
  std::unique_ptr<http::Server> admin_https;
  if (admin_apart) {
    admin_https = std::make_unique<http::Server>(admin_config, admin_api);
    COFFER_RETURN_IF_ERROR(admin_https->Start());
  }
  PrintBanner(app, sftp_server.get(), https.endpoint());
  if (admin_https) {
    std::cout << "Administration: https://" << admin_https->endpoint()
              << "/api/v1/admin/ (the listener above answers 404 there)" << std::endl;
  }
  int sig = 0;
  sigwait(&signals, &sig);
  std::cout << "Stopping (signal " << sig << ")." << std::endl;
  if (sftp_server) sftp_server->Stop();
  https.Stop();
  if (admin_https) admin_https->Stop();
  return Status::Ok();
}

}  // namespace

void AddInitCommands(CLI::App& root, Cli& cli) {
  auto* init = root.add_subcommand(
      "init",
      "Create a data directory: configuration, keys, database, TLS certificate, SSH "
      "host key and the first administrator. Never touches an existing directory.");
  auto admin = std::make_shared<std::string>("admin");
  auto password_file = std::make_shared<std::string>();
  init->add_option("--admin", *admin, "Name of the first administrator")->capture_default_str();
  init->add_option("--admin-password-file", *password_file,
                   "Read the administrator's password from this file ('-': standard input) "
                   "instead of generating one");
  init->callback([&cli, admin, password_file] {
    cli.Set([&cli, admin, password_file] { return RunInit(cli, *admin, *password_file); });
  });

  auto* serve = root.add_subcommand(
      "serve", "Run the server from a data directory (--data) or configuration (--config)");
  serve->callback([&cli] {
    cli.Set([&cli] {
      return cli.WithApp([](app::App& app, const service::Principal&, const service::Context&) {
        return Serve(app);
      });
    });
  });
}

}  // namespace coffer::cli
