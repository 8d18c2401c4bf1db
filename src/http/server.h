// Server: the HTTPS listener. Boost.Beast and Asio stay inside server.cpp.
//
// Guarantees (every one a setting in [http], tested at its edge):
//   - TLS 1.2 and 1.3 only, ECDHE key exchange with AEAD ciphers only, no
//     renegotiation, with the certificate made at init;
//   - a request head larger than max_header_bytes gets 431, a JSON body larger
//     than max_json_body_bytes gets 413, and the connection is closed;
//   - a client that does not deliver a request within read_timeout_seconds, or
//     stays idle past idle_timeout_seconds between requests, is disconnected;
//   - connections beyond max_connections in total or max_connections_per_address
//     from one address are closed before the TLS handshake;
//   - error bodies never echo input (see problem.h).
// Lifetime: Start() binds and runs `threads` workers; Stop() stops accepting,
// lets in-flight requests finish for up to shutdown_grace_seconds, then cuts
// what remains and joins the workers. The destructor calls Stop().
#pragma once

#include <memory>
#include <string>

#include "config/config.h"
#include "http/api.h"
#include "util/status.h"

namespace coffer::http {

class Server {
 public:
  Server(const config::Config& config, const Api& api);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads the certificate, binds and starts serving. kInvalidArgument for a bad
  // listen address, kIo if the port cannot be bound or the key cannot be read.
  Status Start();
  // The bound endpoint, e.g. "127.0.0.1:8443" or "[::1]:8443". After Start().
  std::string endpoint() const;
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace coffer::http
