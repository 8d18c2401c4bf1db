#include "http/api.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "http/handlers.h"
#include "http/openapi.h"
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

namespace {

bool ScopeAllows(const Caller& caller, Access access) {
  switch (access) {
    case Access::kPublic:
      return true;
    case Access::kRead:
      return caller.Has(Scope::kRead);
    case Access::kWrite:
      return caller.Has(Scope::kWrite);
    case Access::kAdmin:
      return caller.Has(Scope::kAdmin);
  }
  return false;
}

// A user signed in with a one-time password may only change it (or leave).
bool AllowedBeforePasswordChange(RouteId id) {
  return id == RouteId::kMe || id == RouteId::kChangePassword || id == RouteId::kLogout;
}

// A session that still owes its second factor reaches only these: the code
// (or, when it must enrol one first, the enrolment routes), /me and sign-out.
bool AllowedWhileMfaPending(RouteId id, bool must_enrol) {
  if (id == RouteId::kMe || id == RouteId::kLogout) return true;
  if (must_enrol)
    return id == RouteId::kMfaStatus || id == RouteId::kMfaEnrol || id == RouteId::kMfaConfirm;
  return id == RouteId::kAuthMfa;
}

}  // namespace

Reply ProblemFor(const Status& status) {
  // The service's message may name objects the caller must not learn about: it is
  // logged, and the answer carries only the status (problem.h).
  spdlog::debug("https: request failed: {}", status.ToString());
  if (status.code() == Code::kPermissionDenied &&
      status.message() == service::kFreshSecondFactorNeeded) {
    return Problem(403, kReauthDetail);
  }
  return Problem(HttpStatusFor(status.code()));
}

Result<Caller> Api::Admit(const Request& request, Method method, const RouteMatch& match,
                          Reply* refusal) const {
  if (!services_) {
    *refusal = Problem(503);
    return InternalError("no services");
  }
  Result<Caller> caller = services_->auth.Identify(request, method);
  if (!caller.ok()) {
    *refusal = ProblemFor(caller.status());
    if (refusal->status == 401)
      refusal->headers.emplace_back("WWW-Authenticate", "Bearer realm=\"coffer\"");
    return caller;
  }
  if (!ScopeAllows(*caller, match.access)) {
    *refusal = Problem(403, "the token's scopes do not allow this");
    return PermissionDenied("scope");
  }
  if (caller->mfa_pending) {
    if (AllowedWhileMfaPending(match.id, caller->must_enrol)) return caller;
    *refusal = Problem(403, caller->must_enrol ? kEnrolFirstDetail : kCodeFirstDetail);
    return PermissionDenied("second factor pending");
  }
  if (caller->principal.must_change_password && !AllowedBeforePasswordChange(match.id)) {
    *refusal = Problem(403, "change your password first");
    return PermissionDenied("password change pending");
  }
  return caller;
}

Reply Api::Route(const Request& request, Method method, std::string_view path) const {
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
  if (found.match->access == Access::kPublic) return Dispatch(request, *found.match, nullptr);
  Reply refusal;
  Result<Caller> caller = Admit(request, method, *found.match, &refusal);
  if (!caller.ok()) return refusal;
  return Dispatch(request, *found.match, &*caller);
}

namespace {

// Routes whose request body is streamed rather than read whole as JSON.
bool StreamsBody(RouteId id) {
  return id == RouteId::kFilesUpload || id == RouteId::kUploadsAppend;
}

}  // namespace

std::optional<StreamStart> Api::BeginStream(const Request& request) const {
  auto method = ParseMethod(request.method);
  if (!method || request.target.empty() || request.target.front() != '/') return std::nullopt;
  std::string_view target = request.target;
  RouteLookup found = router_.Find(*method, target.substr(0, target.find('?')));
  if (!found.match || !StreamsBody(found.match->id)) return std::nullopt;
  StreamStart start;
  Result<Caller> caller = Admit(request, *method, *found.match, &start.reply);
  if (!caller.ok()) return start;
  return DispatchStream(request, *found.match, *caller);
}

StreamStart Api::DispatchStream(const Request& request, const RouteMatch& match,
                                const Caller& caller) const {
  if (match.id == RouteId::kFilesUpload) return FilesUpload(*services_, request, caller);
  if (match.id == RouteId::kUploadsAppend) return UploadsAppend(*services_, request, caller);
  return StreamStart{nullptr, Problem(500)};
}

Reply Api::Dispatch(const Request& request, const RouteMatch& match, const Caller* caller) const {
  if (match.id == RouteId::kStatus) {
    Reply r;
    r.body = nlohmann::json{{"status", "ok"}}.dump();
    return r;
  }
  if (match.id == RouteId::kWebAsset) return WebAssetReply(request);
  if (match.id == RouteId::kOpenApi) {
    Reply r;
    r.body = std::string(OpenApiDocument());
    return r;
  }
  if (!services_) return Problem(503);
  const ApiServices& s = *services_;
  if (match.id == RouteId::kLogin) return HandleLogin(s, request);
  if (match.id == RouteId::kUploadsOptions) return UploadsOptions(s, request);
  if (caller == nullptr) return Problem(500);
  const Caller& c = *caller;
  switch (match.id) {
    case RouteId::kStatus:
    case RouteId::kOpenApi:
    case RouteId::kLogin:
    case RouteId::kWebAsset:
    case RouteId::kUploadsOptions:
      break;
    case RouteId::kLogout:
      return HandleLogout(s, request, c);
    case RouteId::kMe:
      return HandleMe(s, request, c);
    case RouteId::kChangePassword:
      return HandleChangePassword(s, request, c);
    case RouteId::kListSessions:
      return HandleListSessions(s, request, c);
    case RouteId::kRevokeSession:
      return HandleRevokeSession(s, request, c);
    case RouteId::kListTokens:
      return HandleListTokens(s, request, c);
    case RouteId::kCreateToken:
      return HandleCreateToken(s, request, c);
    case RouteId::kRevokeToken:
      return HandleRevokeToken(s, request, c);
    case RouteId::kAuthMfa:
    case RouteId::kAuthReauth:
    case RouteId::kMfaStatus:
    case RouteId::kMfaEnrol:
    case RouteId::kMfaConfirm:
    case RouteId::kMfaDisable:
    case RouteId::kMfaRecoveryCodes:
      return HandleMfa(match.id, s, request, c);
    case RouteId::kAdminUsersList:
    case RouteId::kAdminUserCreate:
    case RouteId::kAdminUserGet:
    case RouteId::kAdminUserPatch:
    case RouteId::kAdminUserDelete:
    case RouteId::kAdminUserPassword:
    case RouteId::kAdminUserUnlock:
    case RouteId::kAdminGroupsList:
    case RouteId::kAdminGroupCreate:
    case RouteId::kAdminGroupDelete:
    case RouteId::kAdminGroupMemberAdd:
    case RouteId::kAdminGroupMemberRemove:
    case RouteId::kAdminFolderCreate:
    case RouteId::kAdminFolderPatch:
    case RouteId::kAdminGrantsList:
    case RouteId::kAdminGrantPut:
    case RouteId::kAdminGrantDelete:
    case RouteId::kAdminBansList:
    case RouteId::kAdminBanAdd:
    case RouteId::kAdminBanRemove:
    case RouteId::kAdminIpRulesList:
    case RouteId::kAdminIpRuleAdd:
    case RouteId::kAdminIpRuleRemove:
      return HandleAdmin(match.id, s.admin, request, c);
    case RouteId::kSshKeysList:
    case RouteId::kSshKeyAdd:
    case RouteId::kSshKeyRemove:
      return HandleSshKeys(match.id, s.admin, request, c, options_.admin_routes);
    case RouteId::kFilesList:
      return FilesList(s, request, c);
    case RouteId::kFilesStat:
      return FilesStat(s, request, c);
    case RouteId::kFilesMkdir:
      return FilesMkdir(s, request, c);
    case RouteId::kFilesUpload:  // reached only if the server did not stream the body
    case RouteId::kUploadsAppend:
      return Problem(500);
    case RouteId::kUploadsCreate:
      return UploadsCreate(s, request, c);
    case RouteId::kUploadsStatus:
      return UploadsStatus(s, request, c);
    case RouteId::kUploadsTerminate:
      return UploadsTerminate(s, request, c);
    case RouteId::kFilesDownload:
      return FilesDownload(s, request, c);
    case RouteId::kFilesMove:
      return FilesMove(s, request, c);
    case RouteId::kFilesCopy:
      return FilesCopy(s, request, c);
    case RouteId::kFilesDelete:
      return FilesDelete(s, request, c);
    case RouteId::kRecycleList:
      return RecycleList(s, request, c);
    case RouteId::kRecycleRestore:
      return RecycleRestore(s, request, c);
    case RouteId::kActivity:
      return HandleActivitySearch(s, request, c);
  }
  return Problem(500);
}

}  // namespace coffer::http
