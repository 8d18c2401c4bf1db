// Api: the REST front-end's request handling, free of any network type.
//
// The server (server.cpp) parses the wire and hands a Request here; Api picks
// the route from the exact table, calls the service and returns a Reply that
// the server writes. Every Reply -- success, problem or 404 -- carries the same
// security headers (SecurityHeaders()); the server adds nothing that depends on
// input. Thread-safe: one Api serves all connections.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/caller.h"
#include "http/router.h"

namespace coffer::service {
class FileService;
class AdminService;
class SessionService;
class ResumableUploads;
class MfaService;
}  // namespace coffer::service

namespace coffer::http {

struct Request {
  std::string method;  // as received
  std::string target;  // request target, as received
  std::string remote_address;
  // Header fields in arrival order, names lower-cased, values as received.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string
      body;  // a JSON body (bounded by [http] max_json_body_bytes); streamed bodies are not here

  // The first value of header `lower_name`, or "" if absent.
  std::string_view Header(std::string_view lower_name) const {
    for (const auto& [n, v] : headers)
      if (n == lower_name) return v;
    return {};
  }
};

// A response body produced in chunks (file downloads). The server asks for the
// next chunk only when the previous one has been written, so memory stays at one
// chunk whatever the size. Used by one connection at a time.
class BodySource {
 public:
  virtual ~BodySource() = default;
  // Exactly the number of bytes Read() will produce in total (Content-Length).
  virtual uint64_t size() const = 0;
  // Fills `out` with the next bytes; 0 only after size() bytes. An error ends the
  // response early: the server closes the connection, so the client sees a
  // truncated body, never wrong bytes.
  virtual Result<size_t> Read(std::span<uint8_t> out) = 0;
};

struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // beyond the security set
  // When set, the body is streamed from here instead of `body` (Content-Length is
  // source->size(); a HEAD answer sends the head only).
  std::shared_ptr<BodySource> source;
};

// A request body consumed in chunks (uploads). The server reads the body in large
// pieces and hands each to Write() as it arrives; nothing holds the whole body.
class BodySink {
 public:
  virtual ~BodySink() = default;  // destroyed without Finish(): what was written is discarded
  // The most body bytes this sink accepts; a larger declared or received body is
  // refused with 413 before (or as soon as) it exceeds this.
  virtual uint64_t max_bytes() const = 0;
  // Takes the next piece of the body. An error stops reading; the server answers
  // ErrorReply() and closes the connection.
  virtual Status Write(std::span<const uint8_t> data) = 0;
  // The whole body has arrived: make it durable and answer.
  virtual Reply Finish() = 0;
  // The problem reply for an error returned by Write().
  virtual Reply ErrorReply(const Status& status) = 0;
  // The connection failed or timed out mid-body. Resumable uploads keep what
  // arrived; others discard it. Called at most once, instead of Finish().
  virtual void Interrupted() {}
};

// What the Api makes of a request whose route takes a streamed body: either a
// sink to stream the body into, or an answer given before any body is read
// (an error, or a request without a body).
struct StreamStart {
  std::unique_ptr<BodySink> sink;  // null: answer `reply` without reading the body
  Reply reply;
};

// Headers sent on every response of the API listener: strict CSP for an API
// (nothing may load, nothing may frame it), nosniff, no referrer, HSTS.
const std::vector<std::pair<std::string_view, std::string_view>>& SecurityHeaders();

// Problem details the web interface and clients act on (docs/security.md).
// A sensitive administrator action without a second factor verified within
// [mfa] fresh_seconds; an API token never has one.
inline constexpr std::string_view kReauthDetail =
    "re-authentication needed: this action needs a second factor verified in the last few "
    "minutes; sign in and POST /api/v1/auth/reauth with a code (API tokens cannot do this)";
// A session signed in with a password that still owes its second factor.
inline constexpr std::string_view kCodeFirstDetail =
    "second factor needed: POST /api/v1/auth/mfa with a code first";
inline constexpr std::string_view kEnrolFirstDetail =
    "second factor enrolment needed: enrol one at /api/v1/me/mfa/enrolment first";

// A problem reply (RFC 9457) with a constant detail.
Reply Problem(int status, std::string_view detail = {});

// What the routes call. The authenticator identifies callers; the services do
// everything else (the one door).
struct ApiServices {
  service::FileService& files;
  service::AdminService& admin;
  const Authenticator& auth;
  service::SessionService& sessions;
  service::ResumableUploads* uploads = nullptr;  // null: the tus routes answer 404
  service::MfaService* mfa = nullptr;  // the second factor routes answer 503 without it
};

struct ApiOptions {
  // false: the administration routes (Access::kAdmin) are not in this Api's
  // table, so they answer 404 like any unknown path, and `?user=` on the SSH key
  // routes may name only the caller. Set for the public listener when [http]
  // admin_listen gives administration a listener of its own.
  bool admin_routes = true;
};

class Api {
 public:
  // Without services only public routes answer; the rest get 503 (unit tests).
  Api() : router_(Router::Default()) {}
  explicit Api(ApiServices services, ApiOptions options = {})
      : router_(options.admin_routes ? Router::Default()
                                     : Router::Default().Without(Access::kAdmin)),
        services_(services),
        options_(options) {}

  Reply Handle(const Request& request) const;
  // For a request whose head has been read: nullopt if its route takes a small
  // JSON body (read it and call Handle); otherwise how to take its streamed body.
  // `request.body` is empty here.
  std::optional<StreamStart> BeginStream(const Request& request) const;
  const Router& router() const { return router_; }

 private:
  Reply Route(const Request& request, Method method, std::string_view path) const;
  Reply Dispatch(const Request& request, const RouteMatch& match, const Caller* caller) const;
  StreamStart DispatchStream(const Request& request, const RouteMatch& match,
                             const Caller& caller) const;
  // The caller of a non-public route, or the reply refusing it.
  Result<Caller> Admit(const Request& request, Method method, const RouteMatch& match,
                       Reply* refusal) const;
  Router router_;
  std::optional<ApiServices> services_;
  ApiOptions options_;
};

}  // namespace coffer::http
