// The HTTPS listener: TLS, connection limits, request reading with limits and
// timeouts, and writing Api replies. The only file that includes Beast/Asio.
#include "http/server.h"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>
#include <vector>

namespace coffer::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using std::chrono::seconds;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// TLS 1.2: forward-secret key exchange with AEAD ciphers only.
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
    "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";
constexpr char kTls13Suites[] =
    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256";
// Bytes read while waiting for the first byte of the next request.
constexpr size_t kFirstReadBytes = 4096;
constexpr auto kTlsShutdownTimeout = seconds(2);
// After an error answer, what the client is still sending is read and dropped for
// this long, at most this much, so closing does not reset the connection before
// the client has read the answer.
constexpr auto kLingerTime = seconds(1);
constexpr size_t kLingerBytes = 1 << 20;
// Streamed bodies move in large pieces: one TLS record per 16 KiB either way,
// but one service call and one timer reset per piece (beast-https.md).
constexpr size_t kDownloadChunk = 256 * 1024;
constexpr size_t kUploadChunk = 1024 * 1024;

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// One connection's stream, shared with Stop() so idle keep-alive waits can be cut.
struct Connection {
  Connection(tcp::socket socket, ssl::context& tls) : stream(std::move(socket), tls) {}
  TlsStream stream;
  bool idle = true;  // touched only on the connection's strand
};

// Open connections, in total and per remote address. Thread-safe.
class ConnectionTable {
 public:
  ConnectionTable(uint32_t total, uint32_t per_address)
      : total_(total), per_address_(per_address) {}

  // Registers `c` from `address`; false (nothing registered) when over a limit.
  bool Add(const std::shared_ptr<Connection>& c, const std::string& address) {
    std::lock_guard lock(mu_);
    uint32_t& n = per_address_count_[address];
    if (open_.size() >= total_ || n >= per_address_) {
      if (n == 0) per_address_count_.erase(address);
      return false;
    }
    ++n;
    open_.emplace(c.get(), Entry{address, c});
    return true;
  }
  void Remove(Connection* c) {
    std::lock_guard lock(mu_);
    auto it = open_.find(c);
    if (it == open_.end()) return;
    const std::string& address = it->second.address;
    if (--per_address_count_[address] == 0) per_address_count_.erase(address);
    open_.erase(it);
    if (open_.empty()) empty_.notify_all();
  }
  // Runs `f` on every open connection (as a weak_ptr) under the lock; it must only post work.
  template <typename F>
  void ForEach(F f) {
    std::lock_guard lock(mu_);
    for (auto& [c, entry] : open_) f(entry.conn);
  }
  // Waits until no connection is open or `deadline` passes; true if none is open.
  bool WaitEmpty(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mu_);
    return empty_.wait_until(lock, deadline, [this] { return open_.empty(); });
  }

 private:
  const uint32_t total_;
  const uint32_t per_address_;
  std::mutex mu_;
  std::condition_variable empty_;
  struct Entry {
    std::string address;
    std::weak_ptr<Connection> conn;
  };
  std::map<Connection*, Entry> open_;                  // guarded by mu_
  std::map<std::string, uint32_t> per_address_count_;  // guarded by mu_
};

std::string FormatEndpoint(const tcp::endpoint& e) {
  auto a = e.address();
  std::string host = a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
  return host + ":" + std::to_string(e.port());
}

}  // namespace

class Server::Impl {
 public:
  Impl(const config::Config& config, const Api& api)
      : config_(config.http),
        max_file_bytes_(config.limits.max_file_bytes),
        keys_(config.frontend_keys),
        api_(api),
        tls_(ssl::context::tls_server),
        acceptor_(ioc_),
        connections_(config.http.max_connections, config.http.max_connections_per_address) {}

  Status Start();
  void Stop();
  std::string endpoint() const { return endpoint_; }

 private:
  Status SetUpTls();
  Status Bind();
  asio::awaitable<void> Accept();
  asio::awaitable<void> Serve(std::shared_ptr<Connection> conn);
  asio::awaitable<bool> WaitForRequest(Connection& conn, beast::flat_buffer& buffer);
  // `head`: the request was HEAD, so the headers describe a body that is not sent.
  asio::awaitable<bool> Write(Connection& conn, const Reply& reply, unsigned version,
                              bool keep_alive, bool head = false);
  asio::awaitable<bool> WriteStreamed(Connection& conn, const Reply& reply, unsigned version,
                                      bool keep_alive, bool head);
  asio::awaitable<void> Linger(Connection& conn);
  // Reads one request after its head; false when the connection must close.
  asio::awaitable<bool> HandleRequest(Connection& conn, beast::flat_buffer& buffer,
                                      bhttp::request_parser<bhttp::string_body>& parser,
                                      const std::string& address);
  asio::awaitable<bool> HandleStreamed(Connection& conn, beast::flat_buffer& buffer,
                                       bhttp::request_parser<bhttp::string_body>& parser,
                                       StreamStart start);
  Reply Dispatch(Request request);
  void CutIdleConnections();

  const config::HttpConfig& config_;
  const uint64_t max_file_bytes_;
  const config::FrontEndKeys& keys_;
  const Api& api_;
  asio::io_context ioc_;
  ssl::context tls_;
  tcp::acceptor acceptor_;
  ConnectionTable connections_;
  std::atomic<bool> stopping_ = false;
  std::vector<std::thread> threads_;
  std::string endpoint_;
};

Status Server::Impl::SetUpTls() {
  tls_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::no_compression | ssl::context::single_dh_use);
  SSL_CTX* ctx = tls_.native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1 ||
      SSL_CTX_set_ciphersuites(ctx, kTls13Suites) != 1) {
    return InternalError("TLS cipher configuration refused");
  }
  boost::system::error_code ec;
  tls_.use_certificate_chain_file(keys_.tls_certificate.string(), ec);
  if (!ec) tls_.use_private_key_file(keys_.tls_private_key.string(), ssl::context::pem, ec);
  if (ec) {
    spdlog::error("https: cannot load TLS certificate or key: {}", ec.message());
    return IoError("cannot load the TLS certificate or key named in [frontend_keys]");
  }
  return Status::Ok();
}

Status Server::Impl::Bind() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(config_.listen, ec);
  if (ec) return InvalidArgument("configuration: [http] listen must be an IP address");
  tcp::endpoint ep(address, static_cast<uint16_t>(config_.port));
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return IoError("cannot listen on " + FormatEndpoint(ep) + ": " + ec.message());
  }
  endpoint_ = FormatEndpoint(acceptor_.local_endpoint());
  return Status::Ok();
}

Status Server::Impl::Start() {
  COFFER_RETURN_IF_ERROR(SetUpTls());
  COFFER_RETURN_IF_ERROR(Bind());
  asio::co_spawn(ioc_, Accept(), asio::detached);
  for (uint32_t i = 0; i < config_.threads; ++i) {
    threads_.emplace_back([this] {
      try {
        ioc_.run();
      } catch (const std::exception& e) {
        spdlog::error("https worker stopped: {}", e.what());
      }
    });
  }
  return Status::Ok();
}

asio::awaitable<void> Server::Impl::Accept() {
  asio::steady_timer backoff(ioc_);
  while (!stopping_) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(ioc_), kUseTuple);
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) {  // e.g. out of file descriptors: back off instead of spinning
      spdlog::warn("https accept failed: {}", ec.message());
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(kUseTuple);
      continue;
    }
    boost::system::error_code peer_ec;
    std::string address = socket.remote_endpoint(peer_ec).address().to_string();
    if (peer_ec) continue;
    auto conn = std::make_shared<Connection>(std::move(socket), tls_);
    if (!connections_.Add(conn, address)) {
      spdlog::debug("https: connection limit reached, refusing a connection");
      continue;  // the socket closes with `conn`
    }
    auto executor = conn->stream.get_executor();
    asio::co_spawn(executor, Serve(conn), [this, conn](std::exception_ptr e) {
      connections_.Remove(conn.get());
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        spdlog::error("https connection failed: {}", x.what());
      }
    });
  }
}

// Waits for the first byte of the next request under the idle timeout, so an
// idle keep-alive connection and a slow request are bounded separately.
asio::awaitable<bool> Server::Impl::WaitForRequest(Connection& conn, beast::flat_buffer& buffer) {
  if (buffer.size() > 0) co_return true;
  if (stopping_) co_return false;
  conn.idle = true;
  beast::get_lowest_layer(conn.stream).expires_after(seconds(config_.idle_timeout_seconds));
  auto [ec, n] = co_await conn.stream.async_read_some(buffer.prepare(kFirstReadBytes), kUseTuple);
  conn.idle = false;
  if (ec) co_return false;
  buffer.commit(n);
  co_return true;
}

// The status for a request that could not be read, or 0 to close silently
// (timeouts, resets, end of stream: nobody is left to read an answer).
int StatusForReadError(const boost::system::error_code& ec) {
  if (ec == bhttp::error::header_limit) return 431;
  if (ec == bhttp::error::body_limit) return 413;
  if (ec == beast::error::timeout || ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
      ec.category() == asio::error::get_ssl_category() || ec == ssl::error::stream_truncated) {
    return 0;
  }
  return 400;
}

// The head of `req` as the Api sees it: names lower-cased, values as received.
Request MakeRequest(const bhttp::request<bhttp::string_body>& req, const std::string& address) {
  Request r{std::string(req.method_string()), std::string(req.target()), address, {}, {}};
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    r.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  return r;
}

Reply Server::Impl::Dispatch(Request request) {
  try {
    return api_.Handle(request);
  } catch (const std::exception& e) {
    spdlog::error("https handler failed: {}", e.what());
    return Problem(500);
  }
}

template <typename Message>
void SetHead(Message& res, const Reply& reply, unsigned version, bool keep_alive) {
  res.version(version);
  res.result(static_cast<unsigned>(reply.status));
  for (const auto& [name, value] : SecurityHeaders()) res.set(name, value);
  for (const auto& [name, value] : reply.headers) res.set(name, value);
  if (!reply.content_type.empty()) res.set(bhttp::field::content_type, reply.content_type);
  res.keep_alive(keep_alive);
}

asio::awaitable<bool> Server::Impl::Write(Connection& conn, const Reply& reply, unsigned version,
                                          bool keep_alive, bool head) {
  if (reply.source) co_return co_await WriteStreamed(conn, reply, version, keep_alive, head);
  bhttp::response<bhttp::string_body> res;
  SetHead(res, reply, version, keep_alive);
  res.body() = reply.body;
  res.prepare_payload();
  if (head) res.body().clear();  // Content-Length stays that of the GET answer
  beast::get_lowest_layer(conn.stream).expires_after(seconds(config_.write_timeout_seconds));
  auto [ec, n] = co_await bhttp::async_write(conn.stream, res, kUseTuple);
  co_return !ec;
}

// The head with Beast, then the body in large chunks straight from the source
// (never Beast's file_body: its 4 KiB reads halve throughput, beast-https.md).
asio::awaitable<bool> Server::Impl::WriteStreamed(Connection& conn, const Reply& reply,
                                                  unsigned version, bool keep_alive, bool head) {
  bhttp::response<bhttp::empty_body> res;
  SetHead(res, reply, version, keep_alive);
  const uint64_t size = reply.source->size();
  res.content_length(size);
  bhttp::response_serializer<bhttp::empty_body> sr(res);
  auto& tcp_stream = beast::get_lowest_layer(conn.stream);
  tcp_stream.expires_after(seconds(config_.write_timeout_seconds));
  auto [head_ec, head_n] = co_await bhttp::async_write_header(conn.stream, sr, kUseTuple);
  if (head_ec) co_return false;
  if (head) co_return true;
  // No bigger than the body: zeroing 256 KiB for a 4 KiB file was a visible
  // share of a small download's CPU time.
  std::vector<uint8_t> chunk(static_cast<size_t>(std::min<uint64_t>(size, kDownloadChunk)));
  for (uint64_t sent = 0; sent < size;) {
    Result<size_t> n = reply.source->Read(chunk);
    if (!n.ok() || *n == 0) {
      // The head promised `size` bytes: closing now tells the client the body is short.
      spdlog::warn("https: download stopped: {}", n.ok() ? "source ended" : n.status().ToString());
      co_return false;
    }
    tcp_stream.expires_after(seconds(config_.write_timeout_seconds));
    auto [ec, written] =
        co_await asio::async_write(conn.stream, asio::buffer(chunk.data(), *n), kUseTuple);
    if (ec) co_return false;
    sent += *n;
  }
  co_return true;
}

asio::awaitable<void> Server::Impl::Linger(Connection& conn) {
  beast::get_lowest_layer(conn.stream).expires_after(kLingerTime);
  std::array<char, 16 * 1024> scratch;
  for (size_t dropped = 0; dropped < kLingerBytes;) {
    auto [ec, n] = co_await conn.stream.async_read_some(asio::buffer(scratch), kUseTuple);
    if (ec) break;
    dropped += n;
  }
}

bool HasBody(const bhttp::request_parser<bhttp::string_body>& parser) {
  return parser.chunked() || parser.content_length().value_or(0) > 0;
}

asio::awaitable<bool> Server::Impl::HandleRequest(Connection& conn, beast::flat_buffer& buffer,
                                                  bhttp::request_parser<bhttp::string_body>& parser,
                                                  const std::string& address) {
  const auto& req = parser.get();
  const unsigned version = req.version();
  Request head = MakeRequest(req, address);
  std::optional<StreamStart> start;
  try {
    start = api_.BeginStream(head);
  } catch (const std::exception& e) {
    spdlog::error("https handler failed: {}", e.what());
    start = StreamStart{nullptr, Problem(500)};
  }
  if (start) co_return co_await HandleStreamed(conn, buffer, parser, std::move(*start));
  // A small JSON body: its limit is checked on the declared length before reading.
  if (parser.content_length().value_or(0) > config_.max_json_body_bytes) {
    if (co_await Write(conn, Problem(413), version, false)) co_await Linger(conn);
    co_return false;
  }
  parser.body_limit(config_.max_json_body_bytes);
  auto [ec, n] = co_await bhttp::async_read(conn.stream, buffer, parser, kUseTuple);
  if (ec) {
    int status = StatusForReadError(ec);
    if (status != 0 && co_await Write(conn, Problem(status), 11, false)) co_await Linger(conn);
    co_return false;
  }
  head.body = std::move(parser.get().body());
  bool keep_alive = req.keep_alive() && !stopping_;
  bool is_head = req.method() == bhttp::verb::head;
  if (!co_await Write(conn, Dispatch(std::move(head)), version, keep_alive, is_head)) {
    co_return false;
  }
  co_return keep_alive;
}

// Streams a request body into `start.sink` in large pieces, each piece under the
// read timeout, the whole under [limits] max_file_bytes and the sink's own limit.
asio::awaitable<bool> Server::Impl::HandleStreamed(
    Connection& conn, beast::flat_buffer& buffer, bhttp::request_parser<bhttp::string_body>& parser,
    StreamStart start) {
  const unsigned version = parser.get().version();
  bool keep_alive = parser.get().keep_alive();
  if (!start.sink) {
    // Answered before the body: an unread body makes the connection unusable.
    bool unread = HasBody(parser);
    if (co_await Write(conn, start.reply, version, keep_alive && !unread && !stopping_) && unread)
      co_await Linger(conn);
    co_return keep_alive && !unread && !stopping_;
  }
  const uint64_t limit = std::min<uint64_t>(max_file_bytes_, start.sink->max_bytes());
  if (parser.content_length().value_or(0) > limit) {
    if (co_await Write(conn, Problem(413), version, false)) co_await Linger(conn);
    co_return false;
  }
  if (beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
    bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, version};
    beast::get_lowest_layer(conn.stream).expires_after(seconds(config_.write_timeout_seconds));
    auto [ec, n] = co_await bhttp::async_write(conn.stream, go_on, kUseTuple);
    if (ec) co_return false;
  }
  bhttp::request_parser<bhttp::buffer_body> body_parser(std::move(parser));
  body_parser.body_limit(limit);
  std::vector<uint8_t> chunk(kUploadChunk);
  while (!body_parser.is_done()) {
    body_parser.get().body().data = chunk.data();
    body_parser.get().body().size = chunk.size();
    beast::get_lowest_layer(conn.stream).expires_after(seconds(config_.read_timeout_seconds));
    auto [ec, n] = co_await bhttp::async_read(conn.stream, buffer, body_parser, kUseTuple);
    if (ec == bhttp::error::need_buffer) ec = {};
    size_t got = chunk.size() - body_parser.get().body().size;
    Status st = got > 0 ? start.sink->Write({chunk.data(), got}) : Status::Ok();
    if (ec == bhttp::error::body_limit) st = LimitExceeded("body too large");
    if (!st.ok()) {
      Reply refusal =
          st.code() == Code::kLimitExceeded && ec ? Problem(413) : start.sink->ErrorReply(st);
      if (co_await Write(conn, refusal, version, false)) co_await Linger(conn);
      co_return false;
    }
    if (ec) {
      start.sink->Interrupted();
      int status = StatusForReadError(ec);
      if (status != 0 && co_await Write(conn, Problem(status), 11, false)) co_await Linger(conn);
      co_return false;
    }
  }
  Reply reply;
  try {
    reply = start.sink->Finish();
  } catch (const std::exception& e) {
    spdlog::error("https handler failed: {}", e.what());
    reply = Problem(500);
  }
  keep_alive = keep_alive && !stopping_;
  co_return co_await Write(conn, reply, version, keep_alive) && keep_alive;
}

asio::awaitable<void> Server::Impl::Serve(std::shared_ptr<Connection> conn) {
  auto& stream = conn->stream;
  boost::system::error_code peer_ec;
  std::string address =
      beast::get_lowest_layer(stream).socket().remote_endpoint(peer_ec).address().to_string();
  beast::get_lowest_layer(stream).expires_after(seconds(config_.read_timeout_seconds));
  auto [hs_ec] = co_await stream.async_handshake(ssl::stream_base::server, kUseTuple);
  if (hs_ec) co_return;
  conn->idle = false;
  beast::flat_buffer buffer;
  while (co_await WaitForRequest(*conn, buffer)) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(config_.max_header_bytes);
    // Body limits depend on the route: checked once the head is known.
    parser.body_limit(boost::none);
    beast::get_lowest_layer(stream).expires_after(seconds(config_.read_timeout_seconds));
    auto [head_ec, head_bytes] =
        co_await bhttp::async_read_header(stream, buffer, parser, kUseTuple);
    auto ec = head_ec;
    // Beast's own header_limit leaves the request line out when both arrive in one
    // read; the bytes the head consumed make the limit exact.
    if (!ec && head_bytes > config_.max_header_bytes) ec = bhttp::error::header_limit;
    if (ec) {
      int status = StatusForReadError(ec);
      if (status != 0 && co_await Write(*conn, Problem(status), 11, false)) {
        co_await Linger(*conn);
      }
      break;
    }
    if (!co_await HandleRequest(*conn, buffer, parser, address)) break;
  }
  // On stop, close at once instead of waiting for the peer's close_notify.
  if (stopping_) co_return;
  beast::get_lowest_layer(stream).expires_after(kTlsShutdownTimeout);
  co_await stream.async_shutdown(kUseTuple);
}

void Server::Impl::CutIdleConnections() {
  connections_.ForEach([](const std::weak_ptr<Connection>& weak) {
    auto c = weak.lock();
    if (!c) return;
    // Runs on the connection's strand, so `idle` is read where it is written.
    asio::post(c->stream.get_executor(), [weak] {
      if (auto conn = weak.lock(); conn && conn->idle) {
        beast::get_lowest_layer(conn->stream).cancel();
      }
    });
  });
}

void Server::Impl::Stop() {
  if (threads_.empty()) return;
  stopping_ = true;
  asio::post(ioc_, [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  });
  auto deadline = std::chrono::steady_clock::now() + seconds(config_.shutdown_grace_seconds);
  CutIdleConnections();
  if (!connections_.WaitEmpty(deadline)) {
    spdlog::warn("https: shutdown grace period over; closing the remaining connections");
  }
  ioc_.stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

Server::Server(const config::Config& config, const Api& api)
    : impl_(std::make_unique<Impl>(config, api)) {}
Server::~Server() { Stop(); }
Status Server::Start() { return impl_->Start(); }
std::string Server::endpoint() const { return impl_->endpoint(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace coffer::http
