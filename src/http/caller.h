// Caller and Authenticator: who sent an HTTPS request.
//
// Every route except sign-in, the status probe and the web interface's static
// files needs a Caller. The Api asks its Authenticator to identify the request
// (a session cookie or an "Authorization: Bearer" API token) before it routes,
// and passes the Caller's principal and context to the service -- the one door
// does the authorization; the scopes below only narrow what a token may reach.
#pragma once

#include <string>
#include <string_view>

#include "http/router.h"
#include "service/principal.h"
#include "util/status.h"

namespace coffer::http {

struct Request;

enum class Scope : unsigned { kRead = 1, kWrite = 2, kAdmin = 4 };

struct Caller {
  service::Principal principal;
  service::Context context;  // protocol "https", remote address, session or token id
  bool by_session = false;   // false: an API token
  unsigned scopes = 0;       // Scope bits; sessions carry all three
  // A session still owing its second factor (Api::Admit confines it to giving
  // the code, or with must_enrol to enrolling one, plus /me and sign-out).
  bool mfa_pending = false;
  bool must_enrol = false;
  bool Has(Scope s) const { return (scopes & static_cast<unsigned>(s)) != 0; }
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // The caller of `request`, or kUnauthenticated (one constant message for every
  // reason). For a session and a state-changing method it also checks the CSRF
  // header. Records failures with the defender.
  virtual Result<Caller> Identify(const Request& request, Method method) const = 0;
};

}  // namespace coffer::http
