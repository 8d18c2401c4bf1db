#include "http/router.h"

#include <array>
#include <utility>

#include "http/web_assets.h"

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
  std::vector<Route> routes = {
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
      // Second factor (docs/security.md).
      {Method::kPost, "/api/v1/auth/mfa", RouteId::kAuthMfa, Access::kRead},
      {Method::kPost, "/api/v1/auth/reauth", RouteId::kAuthReauth, Access::kRead},
      {Method::kGet, "/api/v1/me/mfa", RouteId::kMfaStatus, Access::kRead},
      {Method::kPost, "/api/v1/me/mfa/enrolment", RouteId::kMfaEnrol, Access::kWrite},
      {Method::kPost, "/api/v1/me/mfa/confirm", RouteId::kMfaConfirm, Access::kWrite},
      {Method::kPost, "/api/v1/me/mfa/disable", RouteId::kMfaDisable, Access::kWrite},
      {Method::kPost, "/api/v1/me/mfa/recovery-codes", RouteId::kMfaRecoveryCodes, Access::kWrite},
      // Administration (docs/api.md).
      {Method::kGet, "/api/v1/admin/users", RouteId::kAdminUsersList, Access::kAdmin},
      {Method::kPost, "/api/v1/admin/users", RouteId::kAdminUserCreate, Access::kAdmin},
      {Method::kGet, "/api/v1/admin/user", RouteId::kAdminUserGet, Access::kAdmin},
      {Method::kPatch, "/api/v1/admin/user", RouteId::kAdminUserPatch, Access::kAdmin},
      {Method::kDelete, "/api/v1/admin/user", RouteId::kAdminUserDelete, Access::kAdmin},
      {Method::kPost, "/api/v1/admin/user/password", RouteId::kAdminUserPassword, Access::kAdmin},
      {Method::kPost, "/api/v1/admin/user/unlock", RouteId::kAdminUserUnlock, Access::kAdmin},
      {Method::kGet, "/api/v1/admin/groups", RouteId::kAdminGroupsList, Access::kAdmin},
      {Method::kPost, "/api/v1/admin/groups", RouteId::kAdminGroupCreate, Access::kAdmin},
      {Method::kDelete, "/api/v1/admin/group", RouteId::kAdminGroupDelete, Access::kAdmin},
      {Method::kPost, "/api/v1/admin/group/members", RouteId::kAdminGroupMemberAdd, Access::kAdmin},
      {Method::kDelete, "/api/v1/admin/group/members", RouteId::kAdminGroupMemberRemove,
       Access::kAdmin},
      {Method::kPost, "/api/v1/admin/folders", RouteId::kAdminFolderCreate, Access::kAdmin},
      {Method::kPatch, "/api/v1/admin/folder", RouteId::kAdminFolderPatch, Access::kAdmin},
      {Method::kGet, "/api/v1/admin/grants", RouteId::kAdminGrantsList, Access::kAdmin},
      {Method::kPut, "/api/v1/admin/grants", RouteId::kAdminGrantPut, Access::kAdmin},
      {Method::kDelete, "/api/v1/admin/grants", RouteId::kAdminGrantDelete, Access::kAdmin},
      {Method::kGet, "/api/v1/admin/bans", RouteId::kAdminBansList, Access::kAdmin},
      {Method::kPost, "/api/v1/admin/bans", RouteId::kAdminBanAdd, Access::kAdmin},
      {Method::kDelete, "/api/v1/admin/bans", RouteId::kAdminBanRemove, Access::kAdmin},
      {Method::kGet, "/api/v1/admin/ip-rules", RouteId::kAdminIpRulesList, Access::kAdmin},
      {Method::kPost, "/api/v1/admin/ip-rules", RouteId::kAdminIpRuleAdd, Access::kAdmin},
      {Method::kDelete, "/api/v1/admin/ip-rules", RouteId::kAdminIpRuleRemove, Access::kAdmin},
      // SSH keys: one's own (or, for administrators, anyone's).
      {Method::kGet, "/api/v1/ssh-keys", RouteId::kSshKeysList, Access::kRead},
      {Method::kPost, "/api/v1/ssh-keys", RouteId::kSshKeyAdd, Access::kWrite},
      {Method::kDelete, "/api/v1/ssh-keys", RouteId::kSshKeyRemove, Access::kWrite},
      {Method::kOptions, "/api/v1/uploads", RouteId::kUploadsOptions, Access::kPublic},
      {Method::kPost, "/api/v1/uploads", RouteId::kUploadsCreate, Access::kWrite},
      {Method::kHead, "/api/v1/uploads", RouteId::kUploadsStatus, Access::kWrite},
      {Method::kPatch, "/api/v1/uploads", RouteId::kUploadsAppend, Access::kWrite},
      {Method::kDelete, "/api/v1/uploads", RouteId::kUploadsTerminate, Access::kWrite},
      {Method::kGet, "/api/v1/files", RouteId::kFilesList, Access::kRead},
      {Method::kDelete, "/api/v1/files", RouteId::kFilesDelete, Access::kWrite},
      {Method::kGet, "/api/v1/files/stat", RouteId::kFilesStat, Access::kRead},
      {Method::kPost, "/api/v1/files/mkdir", RouteId::kFilesMkdir, Access::kWrite},
      {Method::kPut, "/api/v1/files/content", RouteId::kFilesUpload, Access::kWrite},
      {Method::kGet, "/api/v1/files/content", RouteId::kFilesDownload, Access::kRead},
      {Method::kHead, "/api/v1/files/content", RouteId::kFilesDownload, Access::kRead},
      {Method::kPost, "/api/v1/files/move", RouteId::kFilesMove, Access::kWrite},
      {Method::kPost, "/api/v1/files/copy", RouteId::kFilesCopy, Access::kWrite},
      {Method::kGet, "/api/v1/recycle", RouteId::kRecycleList, Access::kRead},
      {Method::kPost, "/api/v1/recycle/restore", RouteId::kRecycleRestore, Access::kWrite},
      {Method::kGet, "/api/v1/activity", RouteId::kActivity, Access::kRead},
  };
  // The web interface: "/" and each embedded asset's exact path, public.
  for (const WebAsset& asset : WebAssets()) {
    routes.push_back({Method::kGet, asset.path, RouteId::kWebAsset, Access::kPublic});
    routes.push_back({Method::kHead, asset.path, RouteId::kWebAsset, Access::kPublic});
  }
  return Router(std::move(routes));
}

Router Router::Without(Access access) const {
  std::vector<Route> kept;
  for (const auto& r : routes_) {
    if (r.access != access) kept.push_back(r);
  }
  return Router(std::move(kept));
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
