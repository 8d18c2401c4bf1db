// SshServer: the SFTP front-end's listener. libssh carries the SSH transport and
// checks signatures; everything else is ours: which algorithms are offered, the
// authentication state machine (auth_state.h), the limits, and the SFTP packet
// layer (sftp_session.h) on top of the channel.
//
// One thread accepts; each connection runs on its own thread (libssh 0.10's
// server API is blocking and single-threaded per session). Limits: total
// connections, connections per remote address, signed-in sessions per user,
// login grace time, authentication attempts per connection, idle time-out.
// Only the "sftp" subsystem is served; shell, exec, pty, environment, X11, agent
// and port-forwarding requests are refused and logged.
//
// Start() binds and returns once listening; Stop() stops accepting, asks every
// session to end and waits for them (at most `drain_seconds`).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "config/config.h"
#include "service/admin_service.h"
#include "service/mfa.h"
#include "service/file_service.h"

namespace coffer::sftp {

class SshServer {
 public:
  // After a password or key, users whose policy needs a second factor answer a
  // keyboard-interactive prompt for their TOTP code (service/mfa.h).
  SshServer(const config::Config& config, service::FileService& files,
            service::AdminService& admin, service::MfaService& mfa);
  ~SshServer();
  SshServer(const SshServer&) = delete;
  SshServer& operator=(const SshServer&) = delete;

  Status Start();
  void Stop(int drain_seconds = 10);
  // "host:port" actually bound (the port may have been 0).
  std::string endpoint() const;

  struct Impl;

 private:
  static void AcceptLoop(Impl& impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace coffer::sftp
