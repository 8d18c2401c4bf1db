#include "sftp/ssh_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>

#include "sftp/ssh_internal.h"

namespace coffer::sftp {

namespace {

// Modern algorithms only (docs/sftp.md). libssh treats these lists as filters, so
// every list is set explicitly; nothing with SHA-1, CBC or NIST-curve key exchange.
constexpr char kKex[] =
    "curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group16-sha512,"
    "diffie-hellman-group18-sha512";
constexpr char kCiphers[] =
    "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,"
    "aes256-ctr,aes128-ctr";
constexpr char kMacs[] = "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com";
constexpr char kHostKeyAlgorithms[] = "ssh-ed25519,rsa-sha2-512,rsa-sha2-256";
constexpr char kUserKeyTypes[] =
    "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
    "rsa-sha2-512,rsa-sha2-256";

std::string PeerAddress(socket_t fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "unknown";
  char text[INET6_ADDRSTRLEN] = "";
  if (ss.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&ss)->sin_addr, text, sizeof text);
  } else if (ss.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr, text, sizeof text);
  }
  return text;
}

std::string LocalEndpoint(socket_t fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "";
  char text[INET6_ADDRSTRLEN] = "";
  int port = 0;
  if (ss.ss_family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    port = ntohs(in->sin_port);
    return std::string(text) + ":" + std::to_string(port);
  }
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
  inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
  return "[" + std::string(text) + "]:" + std::to_string(ntohs(in6->sin6_port));
}

// Makes the optional RSA host key on first use (mode 0600).
Status EnsureRsaHostKey(const std::filesystem::path& path) {
  if (std::filesystem::exists(path)) return Status::Ok();
  ssh_key key = nullptr;
  if (ssh_pki_generate(SSH_KEYTYPE_RSA, 3072, &key) != SSH_OK) {
    return InternalError("could not generate the RSA host key");
  }
  mode_t old = umask(077);
  int rc = ssh_pki_export_privkey_file(key, nullptr, nullptr, nullptr, path.c_str());
  umask(old);
  ssh_key_free(key);
  if (rc != SSH_OK) return IoError("could not write the RSA host key " + path.string());
  spdlog::info("sftp: made RSA 3072 host key {}", path.string());
  return Status::Ok();
}

Status SetOption(ssh_bind bind, ssh_bind_options_e option, const void* value, const char* what) {
  if (ssh_bind_options_set(bind, option, value) != SSH_OK) {
    return InvalidArgument(std::string("sftp: cannot set ") + what + ": " + ssh_get_error(bind));
  }
  return Status::Ok();
}

}  // namespace

bool SshServer::Impl::AdmitConnection(const std::string& address) {
  std::lock_guard lock(mu);
  if (connections >= config.sftp.max_sessions) return false;
  if (per_address[address] >= config.sftp.max_sessions_per_address) return false;
  ++connections;
  ++per_address[address];
  return true;
}

void SshServer::Impl::ReleaseConnection(const std::string& address) {
  std::lock_guard lock(mu);
  --connections;
  if (--per_address[address] == 0) per_address.erase(address);
  all_done.notify_all();
}

bool SshServer::Impl::AdmitUser(int64_t user_id) {
  std::lock_guard lock(mu);
  if (per_user[user_id] >= config.sftp.max_sessions_per_user) return false;
  ++per_user[user_id];
  return true;
}

void SshServer::Impl::ReleaseUser(int64_t user_id) {
  std::lock_guard lock(mu);
  if (--per_user[user_id] == 0) per_user.erase(user_id);
}

SshServer::SshServer(const config::Config& config, service::FileService& files,
                     service::AdminService& admin, service::MfaService& mfa)
    : impl_(std::make_unique<Impl>(config, files, admin, mfa)) {}

SshServer::~SshServer() { Stop(); }

std::string SshServer::endpoint() const { return impl_->endpoint; }

Status SshServer::Start() {
  const auto& cfg = impl_->config.sftp;
  ssh_bind bind = ssh_bind_new();
  if (!bind) return InternalError("sftp: out of memory");
  impl_->bind = bind;
  bool no = false;
  std::string port = std::to_string(cfg.port);
  std::string ed25519 = impl_->config.frontend_keys.ssh_host_key_ed25519.string();
  int log_level = SSH_LOG_NOLOG;
  COFFER_RETURN_IF_ERROR(SetOption(bind, SSH_BIND_OPTIONS_PROCESS_CONFIG, &no, "config"));
  COFFER_RETURN_IF_ERROR(SetOption(bind, SSH_BIND_OPTIONS_LOG_VERBOSITY, &log_level, "log"));
  COFFER_RETURN_IF_ERROR(SetOption(bind, SSH_BIND_OPTIONS_BINDADDR, cfg.listen.c_str(), "listen"));
  COFFER_RETURN_IF_ERROR(SetOption(bind, SSH_BIND_OPTIONS_BINDPORT_STR, port.c_str(), "port"));
  COFFER_RETURN_IF_ERROR(SetOption(bind, SSH_BIND_OPTIONS_HOSTKEY, ed25519.c_str(), "host key"));
  if (cfg.rsa_host_key) {
    COFFER_RETURN_IF_ERROR(EnsureRsaHostKey(cfg.rsa_host_key_file));
    std::string rsa = cfg.rsa_host_key_file.string();
    COFFER_RETURN_IF_ERROR(SetOption(bind, SSH_BIND_OPTIONS_HOSTKEY, rsa.c_str(), "RSA host key"));
  }
  COFFER_RETURN_IF_ERROR(SetOption(bind, SSH_BIND_OPTIONS_KEY_EXCHANGE, kKex, "kex"));
  COFFER_RETURN_IF_ERROR(SetOption(bind, SSH_BIND_OPTIONS_CIPHERS_C_S, kCiphers, "ciphers"));
  COFFER_RETURN_IF_ERROR(SetOption(bind, SSH_BIND_OPTIONS_CIPHERS_S_C, kCiphers, "ciphers"));
  COFFER_RETURN_IF_ERROR(SetOption(bind, SSH_BIND_OPTIONS_HMAC_C_S, kMacs, "MACs"));
  COFFER_RETURN_IF_ERROR(SetOption(bind, SSH_BIND_OPTIONS_HMAC_S_C, kMacs, "MACs"));
  COFFER_RETURN_IF_ERROR(
      SetOption(bind, SSH_BIND_OPTIONS_HOSTKEY_ALGORITHMS, kHostKeyAlgorithms, "host key types"));
  COFFER_RETURN_IF_ERROR(
      SetOption(bind, SSH_BIND_OPTIONS_PUBKEY_ACCEPTED_KEY_TYPES, kUserKeyTypes, "key types"));
  COFFER_RETURN_IF_ERROR(SetOption(bind, SSH_BIND_OPTIONS_BANNER, "Coffer", "banner"));
  if (ssh_bind_listen(bind) != SSH_OK) {
    return IoError("sftp: cannot listen on " + cfg.listen + ":" + port + ": " +
                   ssh_get_error(bind));
  }
  impl_->endpoint = LocalEndpoint(ssh_bind_get_fd(bind));
  impl_->acceptor = std::thread([impl = impl_.get()] { AcceptLoop(*impl); });
  return Status::Ok();
}

void SshServer::AcceptLoop(Impl& impl) {
  pollfd pfd{ssh_bind_get_fd(impl.bind), POLLIN, 0};
  while (!impl.stopping) {
    pfd.revents = 0;
    int ready = poll(&pfd, 1, 200);
    if (ready <= 0) continue;
    ssh_session session = ssh_new();
    if (!session) continue;
    if (ssh_bind_accept(impl.bind, session) != SSH_OK) {
      spdlog::warn("sftp: accept failed: {}", ssh_get_error(impl.bind));
      ssh_free(session);
      continue;
    }
    std::string address = PeerAddress(ssh_get_fd(session));
    if (Status st = impl.admin.defender().CheckAddress(address); !st.ok()) {
      spdlog::warn("sftp: connection from {} refused: {}", address, st.message());
      ssh_disconnect(session);
      ssh_free(session);
      continue;
    }
    if (!impl.AdmitConnection(address)) {
      spdlog::warn("sftp: connection from {} refused: connection limit", address);
      ssh_disconnect(session);
      ssh_free(session);
      continue;
    }
    std::thread([&impl, session, address] {
      RunConnection(impl, session, address);
      impl.ReleaseConnection(address);
    }).detach();
  }
}

void SshServer::Stop(int drain_seconds) {
  if (!impl_ || !impl_->bind) return;
  impl_->stopping = true;
  if (impl_->acceptor.joinable()) impl_->acceptor.join();
  std::unique_lock lock(impl_->mu);
  auto done = [&] { return impl_->connections == 0; };
  // Transfers in flight may finish until the deadline; then every session ends
  // at its next packet (uploads not closed by then are discarded).
  if (!impl_->all_done.wait_for(lock, std::chrono::seconds(drain_seconds), done)) {
    spdlog::warn("sftp: ending {} sessions still open at shutdown", impl_->connections);
    impl_->abort_sessions = true;
    if (!impl_->all_done.wait_for(lock, std::chrono::seconds(5), done)) {
      // A session thread is stuck in the network; it still uses the state, so
      // leave it alive rather than free it under the thread (the process is exiting).
      lock.unlock();
      (void)impl_.release();
      return;
    }
  }
  lock.unlock();
  ssh_bind_free(impl_->bind);
  impl_->bind = nullptr;
}

}  // namespace coffer::sftp
