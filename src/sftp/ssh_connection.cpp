// One SSH connection: key exchange, our authentication state machine, the
// session channel with the "sftp" subsystem, and the SFTP packet pump.
#include <libssh/callbacks.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <vector>

#include "sftp/sftp_session.h"
#include "sftp/ssh_internal.h"

namespace coffer::sftp {

namespace {

using SteadyClock = std::chrono::steady_clock;

// The authentication state of one connection. Fail-closed: `principal` is set
// only by a successful password check or a verified public-key signature (and,
// when the user needs a second factor, a TOTP code answered by keyboard-
// interactive), and only while the attempt budget lasts; nothing else makes
// the connection authenticated.
struct Connection {
  Connection(SshServer::Impl& s, service::Context c) : server(s), context(std::move(c)) {}
  SshServer::Impl& server;
  service::Context context;
  uint32_t failures = 0;
  std::optional<service::Principal> principal;
  // First factor passed, code pending: the principal and the user name the
  // client gave (a later request must name the same user).
  std::optional<service::Principal> first_factor;
  std::string first_factor_user;
  bool code_asked = false;
  ssh_session session = nullptr;
  ssh_channel channel = nullptr;
  bool sftp_requested = false;
  // libssh keeps pointers to these (it does not copy them): they live as long
  // as the connection.
  ssh_server_callbacks_struct server_callbacks{};
  ssh_channel_callbacks_struct channel_callbacks{};

  bool OutOfAttempts() const { return failures >= server.config.sftp.max_auth_attempts; }
  int Deny() {
    ++failures;
    return SSH_AUTH_DENIED;
  }
  // After the first factor: signed in, or asked for a code, or refused.
  int FirstFactor(service::Principal p, const char* user) {
    auto need = server.mfa.SecondFactorFor(p);
    if (!need.ok()) return Deny();
    if (*need == service::SecondFactor::kNotNeeded) return Accept(std::move(p));
    if (*need == service::SecondFactor::kMustEnrol) {
      // SFTP cannot enrol: the user must do it over HTTPS first.
      spdlog::warn("sftp: {} from {} refused: a second factor is required but not enrolled", p.name,
                   context.address);
      server.admin.defender().AccountFailed(context, p.user_id, p.name);
      return Deny();
    }
    first_factor = std::move(p);
    first_factor_user = user;
    ssh_set_auth_methods(session, SSH_AUTH_METHOD_INTERACTIVE);
    return SSH_AUTH_PARTIAL;
  }
  int Accept(service::Principal p) {
    if (!server.AdmitUser(p.user_id)) {
      spdlog::warn("sftp: {} from {} refused: session limit for the user", p.name, context.address);
      return Deny();
    }
    principal = std::move(p);
    return SSH_AUTH_SUCCESS;
  }
};

int OnPassword(ssh_session, const char* user, const char* password, void* data) {
  auto& c = *static_cast<Connection*>(data);
  if (c.principal || c.first_factor || c.OutOfAttempts()) return SSH_AUTH_DENIED;
  auto p = c.server.admin.Authenticate(c.context, user, password);
  if (!p.ok()) return c.Deny();
  if (p->must_change_password) {
    // SFTP has no way to change it; the one-time password is not a credential.
    spdlog::warn("sftp: {} from {} refused: the password must be changed first", p->name,
                 c.context.address);
    return c.Deny();
  }
  return c.FirstFactor(std::move(*p), user);
}

int OnPublicKey(ssh_session, const char* user, ssh_key key, char state, void* data) {
  auto& c = *static_cast<Connection*>(data);
  if (c.principal || c.first_factor || c.OutOfAttempts()) return SSH_AUTH_DENIED;
  const char* type = ssh_key_type_to_char(ssh_key_type(key));
  char* b64 = nullptr;
  if (!type || ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK) return c.Deny();
  std::string key_base64(b64);
  ssh_string_free_char(b64);
  // The client first asks whether a key would do (no signature), then signs.
  // Both steps check the user and the key; only a verified signature signs in.
  if (state == SSH_PUBLICKEY_STATE_NONE) {
    if (c.server.admin.KeyIsAuthorized(user, type, key_base64)) return SSH_AUTH_SUCCESS;
    return c.Deny();
  }
  if (state != SSH_PUBLICKEY_STATE_VALID) return c.Deny();
  auto p = c.server.admin.AuthenticateKey(c.context, user, type, key_base64);
  if (!p.ok()) return c.Deny();
  return c.FirstFactor(std::move(*p), user);
}

int OnSubsystem(ssh_session, ssh_channel channel, const char* name, void* data) {
  auto& c = *static_cast<Connection*>(data);
  if (channel != c.channel || c.sftp_requested || std::string_view(name) != "sftp") {
    spdlog::warn("sftp: {} from {}: subsystem '{}' refused", c.principal->name, c.context.address,
                 std::string_view(name).substr(0, 64));
    return 1;
  }
  c.sftp_requested = true;
  return 0;
}

int RefuseShell(ssh_session, ssh_channel, void* data) {
  auto& c = *static_cast<Connection*>(data);
  spdlog::warn("sftp: {} from {}: shell refused", c.principal->name, c.context.address);
  return 1;
}

int RefuseExec(ssh_session, ssh_channel, const char*, void* data) {
  auto& c = *static_cast<Connection*>(data);
  spdlog::warn("sftp: {} from {}: exec refused", c.principal->name, c.context.address);
  return 1;
}

int RefusePty(ssh_session, ssh_channel, const char*, int, int, int, int, void* data) {
  auto& c = *static_cast<Connection*>(data);
  spdlog::warn("sftp: {} from {}: pty refused", c.principal->name, c.context.address);
  return -1;
}

int RefuseEnv(ssh_session, ssh_channel, const char*, const char*, void*) { return 1; }

ssh_channel OnChannelOpen(ssh_session session, void* data) {
  auto& c = *static_cast<Connection*>(data);
  if (!c.principal || c.channel) return nullptr;  // one session channel per connection
  c.channel = ssh_channel_new(session);
  if (!c.channel) return nullptr;
  auto& cb = c.channel_callbacks;
  cb.userdata = &c;
  cb.channel_subsystem_request_function = OnSubsystem;
  cb.channel_shell_request_function = RefuseShell;
  cb.channel_exec_request_function = RefuseExec;
  cb.channel_pty_request_function = RefusePty;
  cb.channel_env_request_function = RefuseEnv;
  ssh_callbacks_init(&cb);
  ssh_set_channel_callbacks(c.channel, &cb);
  return c.channel;
}

// Keyboard-interactive, only after a first factor: one prompt for the code,
// then its answer. libssh has no callback for it, so it arrives here as a
// message; the answer message carries no user name (the request did).
void OnInteractive(Connection& c, ssh_message msg) {
  if (!c.first_factor || c.principal || c.OutOfAttempts()) {
    ssh_message_reply_default(msg);
    return;
  }
  if (!ssh_message_auth_kbdint_is_response(msg)) {
    const char* user = ssh_message_auth_user(msg);
    if (!user || c.first_factor_user != user) {
      c.Deny();
      ssh_message_reply_default(msg);
      return;
    }
    const char* prompts[] = {"Verification code: "};
    char echo[] = {0};
    c.code_asked = true;
    ssh_message_auth_interactive_request(msg, "Second factor", "", 1, prompts, echo);
    return;
  }
  if (!c.code_asked || ssh_userauth_kbdint_getnanswers(c.session) != 1) {
    c.Deny();
    ssh_message_reply_default(msg);
    return;
  }
  c.code_asked = false;
  const char* answer = ssh_userauth_kbdint_getanswer(c.session, 0);
  auto p = c.server.mfa.VerifySignIn(c.context, *c.first_factor, answer ? answer : "");
  if (!p.ok() || c.Accept(std::move(*p)) != SSH_AUTH_SUCCESS) {
    if (!p.ok()) ++c.failures;
    ssh_message_reply_default(msg);  // failure; the client may ask again
    return;
  }
  ssh_message_auth_reply_success(msg, 0);
}

// Everything the callbacks above do not take: port forwarding, X11, agent,
// other channel types. Logged, then refused by libssh's default reply.
int OnOtherMessage(ssh_session, ssh_message msg, void* data) {
  auto& c = *static_cast<Connection*>(data);
  int type = ssh_message_type(msg);
  if (type == SSH_REQUEST_AUTH && ssh_message_subtype(msg) == SSH_AUTH_METHOD_INTERACTIVE) {
    OnInteractive(c, msg);
    return 0;
  }
  // Service requests and the "none" method probe get libssh's normal answers.
  if (type == SSH_REQUEST_SERVICE || type == SSH_REQUEST_AUTH) return 1;
  spdlog::warn("sftp: {} from {}: request refused (type {}, subtype {})",
               c.principal ? c.principal->name : "-", c.context.address, ssh_message_type(msg),
               ssh_message_subtype(msg));
  return 1;
}

std::string NewSessionId() {
  uint8_t raw[8];
  randombytes_buf(raw, sizeof raw);
  char hex[17];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  return std::string("sftp-") + hex;
}

// Key exchange and authentication, up to an open "sftp" channel. False if the
// connection must end (grace time, attempts, disconnect).
bool Authenticate(Connection& c, ssh_session session) {
  const auto& cfg = c.server.config.sftp;
  auto& callbacks = c.server_callbacks;
  callbacks.userdata = &c;
  callbacks.auth_password_function = OnPassword;
  callbacks.auth_pubkey_function = OnPublicKey;
  callbacks.channel_open_request_session_function = OnChannelOpen;
  ssh_callbacks_init(&callbacks);
  ssh_set_server_callbacks(session, &callbacks);
  ssh_set_message_callback(session, OnOtherMessage, &c);

  long timeout = cfg.login_grace_seconds;
  ssh_options_set(session, SSH_OPTIONS_TIMEOUT, &timeout);
  auto deadline = SteadyClock::now() + std::chrono::seconds(cfg.login_grace_seconds);
  if (ssh_handle_key_exchange(session) != SSH_OK) {
    spdlog::info("sftp: key exchange with {} failed: {}", c.context.address,
                 ssh_get_error(session));
    c.server.admin.defender().Record(c.context, service::Offence::kProtocolError);
    return false;
  }
  ssh_set_auth_methods(session, SSH_AUTH_METHOD_PASSWORD | SSH_AUTH_METHOD_PUBLICKEY);
  ssh_event event = ssh_event_new();
  ssh_event_add_session(event, session);
  bool ready = false;
  bool signed_in = false;
  while (!c.server.stopping && SteadyClock::now() < deadline && !c.OutOfAttempts()) {
    if (ssh_event_dopoll(event, 100) == SSH_ERROR) break;
    if (c.principal && !signed_in) {
      // Signed in: the grace time is over; opening the channel may take as long
      // as any idle pause.
      signed_in = true;
      deadline = SteadyClock::now() + std::chrono::seconds(cfg.idle_timeout_seconds);
    }
    if (c.principal && c.channel && c.sftp_requested) {
      ready = true;
      break;
    }
  }
  ssh_event_remove_session(event, session);
  ssh_event_free(event);
  if (!ready && c.OutOfAttempts()) {
    spdlog::warn("sftp: {}: too many failed sign-in attempts", c.context.address);
    c.server.admin.defender().Record(c.context, service::Offence::kProtocolError);
  } else if (!ready && SteadyClock::now() >= deadline) {
    spdlog::info("sftp: {}: {}", c.context.address,
                 signed_in ? "no sftp channel opened: idle time-out" : "login grace time over");
  }
  return ready;
}

// Reads SFTP packets from the channel, answers each in order, and writes the
// replies in batches. Ends on EOF, error, idle time-out or server stop.
void Pump(Connection& c, SftpSession& sftp) {
  const auto& cfg = c.server.config.sftp;
  const size_t kMaxFrame = 4 + kMaxPacket;
  std::vector<uint8_t> in(kMaxFrame + 64 * 1024);
  size_t have = 0;
  Writer out;
  auto last_activity = SteadyClock::now();
  for (;;) {
    int avail = ssh_channel_poll_timeout(c.channel, 1000, 0);
    if (avail == SSH_ERROR || avail == SSH_EOF) return;
    if (avail == 0) {
      if (c.server.stopping && sftp.open_handles() == 0) return;
      if (c.server.abort_sessions) return;
      if (SteadyClock::now() - last_activity > std::chrono::seconds(cfg.idle_timeout_seconds)) {
        spdlog::info("sftp: {} from {}: idle time-out", c.principal->name, c.context.address);
        return;
      }
      continue;
    }
    if (c.server.abort_sessions) return;
    last_activity = SteadyClock::now();
    int n = ssh_channel_read_nonblocking(c.channel, in.data() + have,
                                         static_cast<uint32_t>(in.size() - have), 0);
    if (n < 0) return;
    have += static_cast<size_t>(n);
    size_t pos = 0;
    while (have - pos >= 4) {
      uint32_t len = (uint32_t{in[pos]} << 24) | (uint32_t{in[pos + 1]} << 16) |
                     (uint32_t{in[pos + 2]} << 8) | uint32_t{in[pos + 3]};
      if (len == 0 || len > kMaxPacket) {
        spdlog::warn("sftp: {} from {}: packet of {} bytes refused", c.principal->name,
                     c.context.address, len);
        c.server.admin.defender().Record(c.context, service::Offence::kProtocolError);
        return;
      }
      if (have - pos - 4 < len) break;
      if (!sftp.Handle(std::span(in.data() + pos + 4, len), out)) return;
      pos += 4 + len;
      if (out.buffer().size() >= 1024 * 1024) {
        if (ssh_channel_write(c.channel, out.buffer().data(),
                              static_cast<uint32_t>(out.buffer().size())) == SSH_ERROR) {
          return;
        }
        out.Clear();
      }
    }
    if (!out.buffer().empty()) {
      if (ssh_channel_write(c.channel, out.buffer().data(),
                            static_cast<uint32_t>(out.buffer().size())) == SSH_ERROR) {
        return;
      }
      out.Clear();
    }
    std::memmove(in.data(), in.data() + pos, have - pos);
    have -= pos;
  }
}

// Lets the client close its side first (briefly), as OpenSSH's server does, so
// clients do not report "connection closed by remote host" after a clean end.
void WaitForClientToLeave(ssh_session session) {
  ssh_event event = ssh_event_new();
  if (!event) return;
  ssh_event_add_session(event, session);
  const auto deadline = SteadyClock::now() + std::chrono::seconds(2);
  while (ssh_is_connected(session) && SteadyClock::now() < deadline) {
    if (ssh_event_dopoll(event, 100) == SSH_ERROR) break;
  }
  ssh_event_remove_session(event, session);
  ssh_event_free(event);
}

}  // namespace

void RunConnection(SshServer::Impl& server, ssh_session session, std::string address) {
  int one = 1;
  setsockopt(ssh_get_fd(session), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  Connection c(server, {"sftp", address, NewSessionId()});
  c.session = session;
  if (Authenticate(c, session)) {
    spdlog::info("sftp: {} signed in from {} ({})", c.principal->name, address, c.context.session);
    SftpSession sftp(
        server.files, *c.principal, c.context,
        {server.config.sftp.max_handles, size_t{server.config.sftp.max_reorder_kib} * 1024});
    Pump(c, sftp);
    spdlog::info("sftp: {} session {} ended", c.principal->name, c.context.session);
  }
  if (c.principal) server.ReleaseUser(c.principal->user_id);
  if (c.channel) {
    ssh_channel_request_send_exit_status(c.channel, 0);
    ssh_channel_send_eof(c.channel);
    ssh_channel_close(c.channel);
    WaitForClientToLeave(session);
    ssh_channel_free(c.channel);
  }
  ssh_disconnect(session);
  ssh_free(session);
}

}  // namespace coffer::sftp
