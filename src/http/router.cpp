#include "http/router.h"

#include <array>
#include <utility>

namespace coffer::http {

namespace {

constexpr std::array<std::pair<std::string_view, Method>, 7> kMethods = {{
    {"GET", Method::kGet},
    {"HEAD", Method::kHead},
    {"POST", Method::kPost},
    {"PUT", Method::kPut},
    {"PATCH", Method::kPatch},
    {"DELETE", Method::kDelete},
    {"OPTIONS", Method::kOptions},
}};

}  // namespace

std::optional<Method> ParseMethod(std::string_view token) {
  for (const auto& [name, m] : kMethods) {
    if (name == token) return m;
  }
  return std::nullopt;
}

std::string_view MethodName(Method m) {
  for (const auto& [name, method] : kMethods) {
    if (method == m) return name;
  }
  return "";
}

Router Router::Default() {
  return Router({
      {Method::kGet, "/api/v1/status", RouteId::kStatus, Access::kPublic},
      {Method::kGet, "/api/v1/openapi.json", RouteId::kOpenApi, Access::kPublic},
      {Method::kPost, "/api/v1/auth/login", RouteId::kLogin, Access::kPublic},
      {Method::kPost, "/api/v1/auth/logout", RouteId::kLogout, Access::kRead},
      {Method::kGet, "/api/v1/me", RouteId::kMe, Access::kRead},
      {Method::kPost, "/api/v1/me/password", RouteId::kChangePassword, Access::kWrite},
      {Method::kGet, "/api/v1/me/sessions", RouteId::kListSessions, Access::kRead},
      {Method::kDelete, "/api/v1/me/sessions", RouteId::kRevokeSession, Access::kWrite},
      {Method::kGet, "/api/v1/me/tokens", RouteId::kListTokens, Access::kRead},
      {Method::kPost, "/api/v1/me/tokens", RouteId::kCreateToken, Access::kWrite},
      {Method::kDelete, "/api/v1/me/tokens", RouteId::kRevokeToken, Access::kWrite},
      {Method::kGet, "/api/v1/activity", RouteId::kActivity, Access::kRead},
  });
}

RouteLookup Router::Find(Method method, std::string_view path) const {
  RouteLookup out;
  for (const auto& r : routes_) {
    if (r.path != path) continue;
    if (r.method == method) {
      out.match = RouteMatch{r.id, r.access};
      out.allowed.clear();
      return out;
    }
    out.allowed.push_back(r.method);
  }
  return out;
}

}  // namespace coffer::http
