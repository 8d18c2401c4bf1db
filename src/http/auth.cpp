#include "http/auth.h"

#include <sodium.h>

#include "http/query.h"
#include "service/admin_service.h"
#include "service/sessions.h"

namespace coffer::http {

namespace {

Status Refused() { return Unauthenticated("sign-in required"); }

bool StateChanging(Method m) {
  return m == Method::kPost || m == Method::kPut || m == Method::kPatch || m == Method::kDelete;
}

bool SameText(std::string_view a, std::string_view b) {
  return a.size() == b.size() && !a.empty() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

service::Context ContextOf(const Request& request, std::string session_ref) {
  return service::Context{"https", request.remote_address, std::move(session_ref)};
}

}  // namespace

std::string_view SessionIdOf(const Request& request) {
  auto v = CookieValue(request.Header("cookie"), kSessionCookie);
  return v ? *v : std::string_view();
}

Result<Caller> SessionAuthenticator::Identify(const Request& request, Method method) const {
  std::string_view authorization = request.Header("authorization");
  if (!authorization.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    if (!authorization.starts_with(kBearer)) return Refused();
    return ByToken(request, authorization.substr(kBearer.size()));
  }
  std::string_view id = SessionIdOf(request);
  if (id.empty()) return Refused();
  return BySession(request, id, method);
}

Result<Caller> SessionAuthenticator::ByToken(const Request& request, std::string_view token) const {
  service::Context c = ContextOf(request, "");
  auto r = sessions_.ResumeToken(c, token);
  if (!r.ok()) {
    admin_.defender().Record(c, service::Offence::kFailedSignIn);
    return Refused();
  }
  Caller caller{std::move(r->principal), ContextOf(request, r->session_ref), false, r->scopes};
  return caller;
}

Result<Caller> SessionAuthenticator::BySession(const Request& request, std::string_view id,
                                               Method method) const {
  // An expired session is not an attack (browsers keep cookies): no score.
  auto r = sessions_.Resume(ContextOf(request, ""), id, /*allow_mfa_pending=*/true);
  if (!r.ok()) return Refused();
  if (StateChanging(method)) {
    if (!SameText(request.Header("x-csrf-token"), r->csrf)) return Refused();
    std::string_view origin = request.Header("origin");
    if (!origin.empty() && origin != "https://" + std::string(request.Header("host")))
      return Refused();
  }
  Caller caller{std::move(r->principal), ContextOf(request, r->session_ref), true, 7};
  caller.mfa_pending = r->mfa_pending;
  caller.must_enrol = r->must_enrol;
  return caller;
}

}  // namespace coffer::http
