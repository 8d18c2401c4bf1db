// Internal to the SFTP front-end: the server's shared state and the per-connection
// entry point (ssh_server.cpp, ssh_connection.cpp).
#pragma once

#include <libssh/libssh.h>
#include <libssh/server.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "sftp/ssh_server.h"

namespace coffer::sftp {

struct SshServer::Impl {
  const config::Config& config;
  service::FileService& files;
  service::AdminService& admin;
  service::MfaService& mfa;

  ssh_bind bind = nullptr;
  std::string endpoint;
  std::atomic<bool> stopping{false};        // no new connections; idle sessions end
  std::atomic<bool> abort_sessions{false};  // the drain deadline passed: end them all
  std::thread acceptor;

  std::mutex mu;
  std::condition_variable all_done;
  size_t connections = 0;                     // guarded by mu
  std::map<std::string, size_t> per_address;  // guarded by mu
  std::map<int64_t, size_t> per_user;         // guarded by mu

  Impl(const config::Config& c, service::FileService& f, service::AdminService& a,
       service::MfaService& m)
      : config(c), files(f), admin(a), mfa(m) {}

  // Counts a new connection from `address`; false if a limit refuses it.
  bool AdmitConnection(const std::string& address);
  void ReleaseConnection(const std::string& address);
  // Counts a signed-in session of `user_id`; false at the per-user limit.
  bool AdmitUser(int64_t user_id);
  void ReleaseUser(int64_t user_id);
};

// Runs one accepted connection to its end, then frees the session.
void RunConnection(SshServer::Impl& server, ssh_session session, std::string address);

}  // namespace coffer::sftp
