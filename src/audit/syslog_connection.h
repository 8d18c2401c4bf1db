// SyslogConnection: one TCP connection to a syslog collector, plain or TLS
// (OpenSSL; TLS 1.2 or newer, the collector's certificate verified against a
// CA file and a name). Blocking, every step bounded by a timeout.
//
// Plain syslog over TCP has no acknowledgement of its own (RFC 6587), so
// WaitAcked() waits until the collector's TCP has acknowledged every byte sent
// (the socket's unacknowledged send queue, SIOCOUTQ, is empty): only then may
// the sender count those records as delivered. It fails if the collector
// closes or resets the connection first.
//
// The calling thread should block SIGPIPE (a write to a reset connection raises
// it). Not thread-safe; one owner.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "util/status.h"

namespace coffer::audit {

struct SyslogEndpoint {
  std::string host;
  uint16_t port = 6514;
  bool tls = true;
  std::filesystem::path ca_file;  // PEM; required with tls
  std::string server_name;        // checked in the certificate; default: host
  int timeout_ms = 10000;         // connect, handshake, and each write
};

class SyslogConnection {
 public:
  ~SyslogConnection();
  SyslogConnection(const SyslogConnection&) = delete;
  SyslogConnection& operator=(const SyslogConnection&) = delete;

  // kIo if the collector cannot be reached or the handshake fails;
  // kIntegrity if its certificate does not verify.
  static Result<std::unique_ptr<SyslogConnection>> Open(const SyslogEndpoint& endpoint);

  // Writes all of `bytes` or fails (kIo).
  Status Send(std::string_view bytes);
  // Until the collector's TCP has acknowledged everything sent, at most `timeout_ms`.
  Status WaitAcked(int timeout_ms);

 private:
  struct Tls;
  SyslogConnection(int fd, std::unique_ptr<Tls> tls, int timeout_ms);
  int fd_;
  std::unique_ptr<Tls> tls_;
  int timeout_ms_;
};

}  // namespace coffer::audit
