// The second factor over HTTPS: completing a sign-in that owes a code,
// re-authenticating before sensitive administrator actions, and the caller's
// own TOTP enrolment (docs/security.md). Sessions only: an API token neither
// signs in nor re-authenticates, and cannot change its owner's second factor.
#include <nlohmann/json.hpp>

#include "http/auth.h"
#include "http/handlers.h"
#include "http/request_input.h"
#include "service/mfa.h"
#include "service/sessions.h"

namespace coffer::http {

namespace {

using nlohmann::json;

constexpr size_t kMaxCodeField = 64;

// The required "code" field of the JSON body.
Result<std::string> CodeOf(const Request& request) {
  COFFER_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request));
  COFFER_RETURN_IF_ERROR(body.Only({"code"}));
  COFFER_ASSIGN_OR_RETURN(auto code, body.String("code", "code must be a string", kMaxCodeField));
  if (!code || code->empty()) return InvalidArgument("code is required");
  return *code;
}

// A wrong, reused or expired code (or a locked account): one answer.
Reply CodeProblem(const Status& st) {
  if (st.code() == Code::kUnauthenticated) return Problem(403, "invalid code");
  if (st.code() == Code::kInvalidArgument) return Problem(400, "a code is 6 digits");
  if (st.code() == Code::kAlreadyExists) return Problem(409, "a second factor is already enrolled");
  if (st.code() == Code::kFailedPrecondition)
    return Problem(409, "no enrolment in progress, or it expired: begin again");
  return ProblemFor(st);
}

json Codes(const std::vector<std::string>& codes) { return {{"recovery_codes", codes}}; }

Reply Complete(const ApiServices& s, const Request& request, const Caller& caller, bool reauth) {
  auto code = CodeOf(request);
  if (!code.ok()) return InputProblem(code.status());
  auto r = s.sessions.CompleteMfa(caller.context, SessionIdOf(request), *code);
  if (!r.ok()) return CodeProblem(r.status());
  if (reauth) return JsonReply(200, {{"mfa_at", r->principal.mfa_at}});
  return JsonReply(200, {{"csrf_token", r->csrf}, {"mfa_at", r->principal.mfa_at}});
}

Reply Status_(service::MfaService& mfa, const Caller& caller) {
  auto st = mfa.GetStatus(caller.principal, caller.context, caller.principal.name);
  if (!st.ok()) return ProblemFor(st.status());
  return JsonReply(200, {{"enrolled", st->enrolled},
                         {"required", st->required},
                         {"secret_ok", st->secret_ok},
                         {"enabled_at", st->enabled_at},
                         {"recovery_codes_left", st->recovery_codes_left}});
}

Reply Enrol(service::MfaService& mfa, const Caller& caller) {
  auto e = mfa.BeginEnrolment(caller.principal, caller.context);
  if (!e.ok()) return CodeProblem(e.status());
  return JsonReply(201, {{"secret", e->secret_base32},
                         {"otpauth_uri", e->otpauth_uri},
                         {"qr_svg", e->qr_svg},
                         {"expires_in", service::kEnrolmentSeconds}});
}

Reply Confirm(const ApiServices& s, const Request& request, const Caller& caller) {
  auto code = CodeOf(request);
  if (!code.ok()) return InputProblem(code.status());
  auto codes = s.sessions.ConfirmEnrolment(caller.context, SessionIdOf(request), *code);
  if (!codes.ok()) return CodeProblem(codes.status());
  return JsonReply(200, Codes(*codes));
}

Reply Disable(service::MfaService& mfa, const Request& request, const Caller& caller) {
  auto code = CodeOf(request);
  if (!code.ok()) return InputProblem(code.status());
  Status st = mfa.Disable(caller.principal, caller.context, *code);
  return st.ok() ? NoContent() : CodeProblem(st);
}

Reply Regenerate(service::MfaService& mfa, const Request& request, const Caller& caller) {
  auto code = CodeOf(request);
  if (!code.ok()) return InputProblem(code.status());
  auto codes = mfa.RegenerateRecoveryCodes(caller.principal, caller.context, *code);
  if (!codes.ok()) return CodeProblem(codes.status());
  return JsonReply(200, Codes(*codes));
}

}  // namespace

Reply HandleMfa(RouteId id, const ApiServices& s, const Request& request, const Caller& caller) {
  if (s.mfa == nullptr) return Problem(503);
  if (!caller.by_session)
    return Problem(403,
                   "the second factor is used and managed from a signed-in session, "
                   "not with an API token");
  switch (id) {
    case RouteId::kAuthMfa:
      if (!caller.mfa_pending) return Problem(409, "this session has no second factor pending");
      return Complete(s, request, caller, false);
    case RouteId::kAuthReauth:
      return Complete(s, request, caller, true);
    case RouteId::kMfaStatus:
      return Status_(*s.mfa, caller);
    case RouteId::kMfaEnrol:
      return Enrol(*s.mfa, caller);
    case RouteId::kMfaConfirm:
      return Confirm(s, request, caller);
    case RouteId::kMfaDisable:
      return Disable(*s.mfa, request, caller);
    case RouteId::kMfaRecoveryCodes:
      return Regenerate(*s.mfa, request, caller);
    default:
      return Problem(500);
  }
}

}  // namespace coffer::http
