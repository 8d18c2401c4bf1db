#include "http/api.h"

#include <nlohmann/json.hpp>

#include "http/problem.h"

namespace coffer::http {

const std::vector<std::pair<std::string_view, std::string_view>>& SecurityHeaders() {
  static const std::vector<std::pair<std::string_view, std::string_view>> kHeaders = {
      {"Content-Security-Policy",
       "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      {"Strict-Transport-Security", "max-age=31536000; includeSubDomains"},
      {"Cache-Control", "no-store"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
  };
  return kHeaders;
}

Reply Problem(int status, std::string_view detail) {
  Reply r;
  r.status = status;
  r.content_type = std::string(kProblemContentType);
  r.body = ProblemBody(status, detail);
  return r;
}

Reply Api::Handle(const Request& request) const {
  auto method = ParseMethod(request.method);
  if (!method) return Problem(501, "method not supported");
  // Only origin-form targets ("/path?query"); absolute and authority forms are refused.
  if (request.target.empty() || request.target.front() != '/') {
    return Problem(400, "request target must be a path");
  }
  std::string_view target = request.target;
  std::string_view path = target.substr(0, target.find('?'));
  return Route(request, *method, path);
}

Reply Api::Route(const Request&, Method method, std::string_view path) const {
  RouteLookup found = router_.Find(method, path);
  if (!found.match) {
    if (found.allowed.empty()) return Problem(404);
    Reply r = Problem(405);
    std::string allow;
    for (Method m : found.allowed)
      allow += (allow.empty() ? "" : ", ") + std::string(MethodName(m));
    r.headers.emplace_back("Allow", allow);
    return r;
  }
  switch (found.match->id) {
    case RouteId::kStatus: {
      Reply r;
      r.body = nlohmann::json{{"status", "ok"}}.dump();
      return r;
    }
  }
  return Problem(500);
}

}  // namespace coffer::http
