// SessionAuthenticator: identifies HTTPS callers by API token or session cookie
// (service/sessions.h does the checking). Sessions must also present their CSRF
// token on state-changing methods, and an Origin header, when sent, must be this
// server's own. Every refusal answers the same 401; a bad token scores against
// the source address in the defender (an expired session cookie does not).
#pragma once

#include <string_view>

#include "http/api.h"
#include "http/caller.h"

namespace coffer::service {
class SessionService;
class AdminService;
}  // namespace coffer::service

namespace coffer::http {

inline constexpr std::string_view kSessionCookie = "__Host-coffer_session";

class SessionAuthenticator : public Authenticator {
 public:
  SessionAuthenticator(service::SessionService& sessions, service::AdminService& admin)
      : sessions_(sessions), admin_(admin) {}
  Result<Caller> Identify(const Request& request, Method method) const override;

 private:
  Result<Caller> ByToken(const Request& request, std::string_view token) const;
  Result<Caller> BySession(const Request& request, std::string_view id, Method method) const;
  service::SessionService& sessions_;
  service::AdminService& admin_;
};

// The session id in the request's cookie, or "".
std::string_view SessionIdOf(const Request& request);

}  // namespace coffer::http
