#include "audit/syslog_connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace coffer::audit {

struct SyslogConnection::Tls {
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  ~Tls() {
    if (ssl) SSL_free(ssl);
    if (ctx) SSL_CTX_free(ctx);
  }
};

namespace {

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  char buf[256] = "unknown";
  if (e) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// Connects within the timeout; the socket is left blocking with send and
// receive timeouts set.
Result<int> ConnectTcp(const SyslogEndpoint& e) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string port = std::to_string(e.port);
  int rc = ::getaddrinfo(e.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0) return IoError("syslog collector " + e.host + ": " + gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, ::freeaddrinfo);
  std::string why = "no address";
  for (addrinfo* a = found; a; a = a->ai_next) {
    Fd fd(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol));
    if (fd.get() < 0) continue;
    if (::connect(fd.get(), a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
      why = std::strerror(errno);
      continue;
    }
    pollfd p{fd.get(), POLLOUT, 0};
    if (::poll(&p, 1, e.timeout_ms) != 1) {
      why = "connect timed out";
      continue;
    }
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      why = std::strerror(err);
      continue;
    }
    ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
    timeval tv{e.timeout_ms / 1000, (e.timeout_ms % 1000) * 1000};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd.release();
  }
  return IoError("syslog collector " + e.host + ":" + port + ": " + why);
}

bool IsIpLiteral(const std::string& name) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, name.c_str(), buf) == 1 ||
         ::inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

}  // namespace

SyslogConnection::SyslogConnection(int fd, std::unique_ptr<Tls> tls, int timeout_ms)
    : fd_(fd), tls_(std::move(tls)), timeout_ms_(timeout_ms) {}

SyslogConnection::~SyslogConnection() {
  if (tls_ && tls_->ssl) SSL_shutdown(tls_->ssl);
  tls_.reset();
  ::close(fd_);
}

Result<std::unique_ptr<SyslogConnection>> SyslogConnection::Open(const SyslogEndpoint& e) {
  COFFER_ASSIGN_OR_RETURN(int raw, ConnectTcp(e));
  Fd fd(raw);
  if (!e.tls) {
    return std::unique_ptr<SyslogConnection>(
        new SyslogConnection(fd.release(), nullptr, e.timeout_ms));
  }
  auto tls = std::make_unique<Tls>();
  tls->ctx = SSL_CTX_new(TLS_client_method());
  if (!tls->ctx) return InternalError("TLS context: " + OpenSslError());
  SSL_CTX_set_min_proto_version(tls->ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(tls->ctx, SSL_VERIFY_PEER, nullptr);
  if (SSL_CTX_load_verify_locations(tls->ctx, e.ca_file.c_str(), nullptr) != 1) {
    return FailedPrecondition("cannot load the syslog CA file " + e.ca_file.string() + ": " +
                              OpenSslError());
  }
  tls->ssl = SSL_new(tls->ctx);
  if (!tls->ssl) return InternalError("TLS session: " + OpenSslError());
  std::string name = e.server_name.empty() ? e.host : e.server_name;
  X509_VERIFY_PARAM* param = SSL_get0_param(tls->ssl);
  bool ok = IsIpLiteral(name) ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str()) == 1
                              : (SSL_set_tlsext_host_name(tls->ssl, name.c_str()) == 1 &&
                                 SSL_set1_host(tls->ssl, name.c_str()) == 1);
  if (!ok) return InvalidArgument("syslog server_name is not usable: " + name);
  SSL_set_fd(tls->ssl, fd.get());
  if (SSL_connect(tls->ssl) != 1) {
    long verify = SSL_get_verify_result(tls->ssl);
    if (verify != X509_V_OK) {
      ERR_clear_error();
      return IntegrityError("the syslog collector's certificate does not verify: " +
                            std::string(X509_verify_cert_error_string(verify)));
    }
    return IoError("TLS handshake with the syslog collector failed: " + OpenSslError());
  }
  return std::unique_ptr<SyslogConnection>(
      new SyslogConnection(fd.release(), std::move(tls), e.timeout_ms));
}

Status SyslogConnection::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    size_t chunk = std::min<size_t>(bytes.size(), 1 << 20);
    ssize_t n;
    if (tls_) {
      size_t written = 0;
      n = SSL_write_ex(tls_->ssl, bytes.data(), chunk, &written) == 1
              ? static_cast<ssize_t>(written)
              : -1;
      if (n < 0) return IoError("write to the syslog collector failed: " + OpenSslError());
    } else {
      n = ::send(fd_, bytes.data(), chunk, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        return IoError(std::string("write to the syslog collector failed: ") +
                       (n < 0 ? std::strerror(errno) : "closed"));
      }
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status SyslogConnection::WaitAcked(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int unacked = 0;
    if (::ioctl(fd_, SIOCOUTQ, &unacked) != 0) {
      return IoError(std::string("syslog socket: ") + std::strerror(errno));
    }
    if (unacked == 0) return Status::Ok();
    pollfd p{fd_, POLLRDHUP, 0};
    if (::poll(&p, 1, 5) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR))) {
      return IoError("the syslog collector closed the connection");
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return IoError("the syslog collector did not acknowledge in time");
    }
  }
}

}  // namespace coffer::audit
