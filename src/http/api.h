// Api: the REST front-end's request handling, free of any network type.
//
// The server (server.cpp) parses the wire and hands a Request here; Api picks
// the route from the exact table, calls the service and returns a Reply that
// the server writes. Every Reply -- success, problem or 404 -- carries the same
// security headers (SecurityHeaders()); the server adds nothing that depends on
// input. Thread-safe: one Api serves all connections.
#pragma once

#include <optional>
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

struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // beyond the security set
};

// Headers sent on every response of the API listener: strict CSP for an API
// (nothing may load, nothing may frame it), nosniff, no referrer, HSTS.
const std::vector<std::pair<std::string_view, std::string_view>>& SecurityHeaders();

// A problem reply (RFC 9457) with a constant detail.
Reply Problem(int status, std::string_view detail = {});

// What the routes call. The authenticator identifies callers; the services do
// everything else (the one door).
struct ApiServices {
  service::FileService& files;
  service::AdminService& admin;
  const Authenticator& auth;
  service::SessionService& sessions;
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
  const Router& router() const { return router_; }

 private:
  Reply Route(const Request& request, Method method, std::string_view path) const;
  Reply Dispatch(const Request& request, const RouteMatch& match, const Caller* caller) const;
  Router router_;
  std::optional<ApiServices> services_;
  ApiOptions options_;
};

}  // namespace coffer::http
