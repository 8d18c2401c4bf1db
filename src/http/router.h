// Router: one exact table of routes, matched on method and whole path.
//
// A route is a method and a path template of literal segments, optionally ending
// in one typed parameter. There is no prefix, substring or pattern matching: a
// path that is not in the table is not served (THREAT-MODEL invariant 2).
// Matching distinguishes "no such path" (404) from "path known, method not"
// (405 with the allowed methods), and never keeps a reference to the input.
// Thread-safe after construction (read-only).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coffer::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions };

// Parses an HTTP method token exactly (case-sensitive, RFC 9110); nullopt if unknown.
std::optional<Method> ParseMethod(std::string_view token);
std::string_view MethodName(Method m);

enum class RouteId {
  kStatus,  // GET /api/v1/status
  kOpenApi,
  kLogin,
  kLogout,
  kMe,
  kChangePassword,
  kListSessions,
  kRevokeSession,
  kListTokens,
  kCreateToken,
  kRevokeToken,
  // Second factor (routes_mfa.cpp).
  kAuthMfa,
  kAuthReauth,
  kMfaStatus,
  kMfaEnrol,
  kMfaConfirm,
  kMfaDisable,
  kMfaRecoveryCodes,
  // Administration (routes_admin.cpp).
  kAdminUsersList,
  kAdminUserCreate,
  kAdminUserGet,
  kAdminUserPatch,
  kAdminUserDelete,
  kAdminUserPassword,
  kAdminUserUnlock,
  kAdminGroupsList,
  kAdminGroupCreate,
  kAdminGroupDelete,
  kAdminGroupMemberAdd,
  kAdminGroupMemberRemove,
  kAdminFolderCreate,
  kAdminFolderPatch,
  kAdminGrantsList,
  kAdminGrantPut,
  kAdminGrantDelete,
  kAdminBansList,
  kAdminBanAdd,
  kAdminBanRemove,
  kAdminIpRulesList,
  kAdminIpRuleAdd,
  kAdminIpRuleRemove,
  // A user's SSH keys (routes_keys.cpp).
  kSshKeysList,
  kSshKeyAdd,
  kSshKeyRemove,
  kFilesList,
  kFilesStat,
  kFilesMkdir,
  kFilesUpload,
  kFilesDownload,  // GET and HEAD
  kFilesMove,
  kFilesCopy,
  kFilesDelete,
  kRecycleList,
  kRecycleRestore,
  kActivity,  // GET /api/v1/activity
  // Resumable uploads, tus 1.0 (routes_uploads.cpp).
  kUploadsOptions,
  kUploadsCreate,
  kUploadsStatus,
  kUploadsAppend,
  kUploadsTerminate,
  kWebAsset,  // GET, HEAD / and each embedded web asset (web_assets.h)
};

// Who may reach a route: anyone, or a signed-in caller whose session or token
// carries the scope (sessions carry every scope; the service still authorizes).
enum class Access { kPublic, kRead, kWrite, kAdmin };

struct RouteMatch {
  RouteId id;
  Access access = Access::kPublic;
};

struct RouteLookup {
  std::optional<RouteMatch> match;  // set when method and path match
  std::vector<Method> allowed;      // path known but method not: what is allowed
};

class Router {
 public:
  struct Route {
    Method method;
    std::string_view path;  // literal, starting with '/'
    RouteId id;
    Access access = Access::kPublic;
  };

  // The table served by the public listener.
  static Router Default();
  // This table without the routes that need `access` (the public listener when
  // the administration routes have a listener of their own).
  Router Without(Access access) const;

  explicit Router(std::vector<Route> routes) : routes_(std::move(routes)) {}

  // `path` is the request target's path (no query), exactly as received.
  RouteLookup Find(Method method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace coffer::http
