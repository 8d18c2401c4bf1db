// Sign-in, sign-out, the caller's own account, sessions and API tokens.
#include <nlohmann/json.hpp>

#include "http/auth.h"
#include "http/handlers.h"
#include "http/query.h"
#include "http/request_input.h"
#include "service/admin_service.h"
#include "service/sessions.h"

namespace coffer::http {

namespace {

using nlohmann::json;

constexpr size_t kMaxNameField = 256;
constexpr size_t kMaxPasswordField = 1024;

// The JSON object in the body, or nullopt (bad JSON, wrong content type).
std::optional<json> ObjectBody(const Request& request) {
  std::string_view type = request.Header("content-type");
  if (!type.starts_with("application/json")) return std::nullopt;
  json doc = ParseJsonStrictly(request.body);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  return doc;
}

// A string field of at most `max` bytes, or nullopt.
std::optional<std::string> StringField(const json& doc, const char* name, size_t max) {
  auto it = doc.find(name);
  if (it == doc.end() || !it->is_string()) return std::nullopt;
  std::string v = it->get<std::string>();
  if (v.size() > max) return std::nullopt;
  return v;
}

std::string SessionCookie(std::string_view id) {
  return std::string(kSessionCookie) + "=" + std::string(id) +
         "; Path=/; Secure; HttpOnly; SameSite=Strict";
}

std::string ExpiredCookie() {
  return std::string(kSessionCookie) + "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0";
}

json MeJson(const service::Principal& p, std::string_view csrf, bool mfa_pending = false,
            bool must_enrol = false) {
  return {{"name", p.name},
          {"admin", p.is_admin()},
          {"must_change_password", p.must_change_password},
          {"mfa_enabled", p.mfa},
          {"mfa_at", p.mfa_at},
          {"mfa_pending", mfa_pending && !must_enrol},
          {"mfa_enrolment_required", mfa_pending && must_enrol},
          {"csrf_token", csrf}};
}

std::optional<int64_t> IdParam(const Request& request) {
  auto query = Query::Parse(request.target);
  if (!query.ok()) return std::nullopt;
  auto v = query->Get("id");
  if (!v || v->empty() || v->size() > 18) return std::nullopt;
  int64_t n = 0;
  for (char ch : *v) {
    if (ch < '0' || ch > '9') return std::nullopt;
    n = n * 10 + (ch - '0');
  }
  return n;
}

}  // namespace

Reply HandleLogin(const ApiServices& s, const Request& request) {
  auto doc = ObjectBody(request);
  if (!doc) return Problem(400, "expected a JSON object");
  auto name = StringField(*doc, "username", kMaxNameField);
  auto password = StringField(*doc, "password", kMaxPasswordField);
  if (!name || !password) return Problem(400, "username and password are required");
  service::Context c{"https", request.remote_address, ""};
  auto session = s.sessions.SignIn(c, *name, *password, request.Header("user-agent"));
  if (!session.ok()) {
    // 403, not 401: a failed form sign-in is not an HTTP authentication
    // challenge (401 would need WWW-Authenticate, and clients treat it so).
    if (session.status().code() == Code::kUnauthenticated)
      return Problem(403, "invalid user name or password");
    return ProblemFor(session.status());
  }
  // A pending session gets its CSRF token too: it posts the code (or enrols).
  json body = session->mfa_pending ? json{{"mfa_required", !session->must_enrol},
                                          {"mfa_enrolment_required", session->must_enrol},
                                          {"csrf_token", session->csrf}}
                                   : json{{"user", MeJson(session->principal, session->csrf)},
                                          {"csrf_token", session->csrf}};
  Reply r = JsonReply(200, body);
  r.headers.emplace_back("Set-Cookie", SessionCookie(session->id));
  return r;
}

Reply HandleLogout(const ApiServices& s, const Request& request, const Caller& caller) {
  if (!caller.by_session) return Problem(400, "sign-out ends a session; revoke a token instead");
  Status st = s.sessions.SignOut(caller.principal, caller.context, SessionIdOf(request));
  if (!st.ok()) return ProblemFor(st);
  Reply r = NoContent();
  r.headers.emplace_back("Set-Cookie", ExpiredCookie());
  return r;
}

Reply HandleMe(const ApiServices&, const Request& request, const Caller& caller) {
  std::string csrf =
      caller.by_session ? service::SessionService::CsrfFor(SessionIdOf(request)) : std::string();
  return JsonReply(200, MeJson(caller.principal, csrf, caller.mfa_pending, caller.must_enrol));
}

Reply HandleChangePassword(const ApiServices& s, const Request& request, const Caller& caller) {
  auto doc = ObjectBody(request);
  if (!doc) return Problem(400, "expected a JSON object");
  auto current = StringField(*doc, "current_password", kMaxPasswordField);
  auto chosen = StringField(*doc, "new_password", kMaxPasswordField);
  if (!current || !chosen) return Problem(400, "current_password and new_password are required");
  Status st = s.admin.ChangeOwnPassword(caller.principal, caller.context, *current, *chosen);
  if (st.code() == Code::kInvalidArgument || st.code() == Code::kLimitExceeded) {
    // The policy's reasons are fixed texts (service/passwords.h), never input.
    return Problem(422, st.message());
  }
  if (st.code() == Code::kUnauthenticated) return Problem(403, "the current password is wrong");
  if (!st.ok()) return ProblemFor(st);
  return NoContent();
}

Reply HandleListSessions(const ApiServices& s, const Request& request, const Caller& caller) {
  auto list = s.sessions.ListSessions(caller.principal, caller.context, "",
                                      caller.by_session ? SessionIdOf(request) : "");
  if (!list.ok()) return ProblemFor(list.status());
  json items = json::array();
  for (const auto& i : *list) {
    items.push_back({{"id", i.id},
                     {"created_at", i.created_at},
                     {"last_seen_at", i.last_seen_at},
                     {"expires_at", i.expires_at},
                     {"address", i.address},
                     {"user_agent", i.user_agent},
                     {"current", i.current}});
  }
  return JsonReply(200, {{"items", items}, {"next_cursor", ""}});
}

Reply HandleRevokeSession(const ApiServices& s, const Request& request, const Caller& caller) {
  auto id = IdParam(request);
  if (!id) return Problem(400, "id is required");
  Status st = s.sessions.RevokeSession(caller.principal, caller.context, "", *id);
  return st.ok() ? NoContent() : ProblemFor(st);
}

Reply HandleListTokens(const ApiServices& s, const Request&, const Caller& caller) {
  auto list = s.sessions.ListTokens(caller.principal, caller.context, "");
  if (!list.ok()) return ProblemFor(list.status());
  json items = json::array();
  for (const auto& t : *list) {
    items.push_back({{"id", t.id},
                     {"name", t.name},
                     {"scopes", service::ScopeNames(t.scopes)},
                     {"created_at", t.created_at},
                     {"expires_at", t.expires_at},
                     {"last_used_at", t.last_used_at}});
  }
  return JsonReply(200, {{"items", items}, {"next_cursor", ""}});
}

Reply HandleCreateToken(const ApiServices& s, const Request& request, const Caller& caller) {
  auto doc = ObjectBody(request);
  if (!doc) return Problem(400, "expected a JSON object");
  auto name = StringField(*doc, "name", kMaxNameField);
  auto scopes_it = doc->find("scopes");
  auto days_it = doc->find("expires_in_days");
  if (!name || scopes_it == doc->end() || !scopes_it->is_array())
    return Problem(400, "name and scopes are required");
  std::string scope_text;
  for (const auto& v : *scopes_it) {
    if (!v.is_string()) return Problem(400, "scopes are read, write and admin");
    scope_text += (scope_text.empty() ? "" : ",") + v.get<std::string>();
  }
  auto scopes = service::ParseScopes(scope_text);
  if (!scopes.ok()) return Problem(400, "scopes are read, write and admin");
  // A token never carries more than the caller's own request could.
  if (!caller.by_session && (*scopes & ~caller.scopes))
    return Problem(403, "a token cannot make a token with more scopes than its own");
  uint32_t days = 0;
  if (days_it != doc->end()) {
    if (!days_it->is_number_unsigned() || days_it->get<uint64_t>() > 100000)
      return Problem(400, "expires_in_days must be a positive whole number");
    days = days_it->get<uint32_t>();
  }
  auto t = s.sessions.CreateToken(caller.principal, caller.context, "", *name, *scopes, days);
  if (!t.ok()) {
    if (t.status().code() == Code::kInvalidArgument) return Problem(400, "invalid token request");
    return ProblemFor(t.status());
  }
  return JsonReply(201, {{"id", t->info.id},
                         {"token", t->token},
                         {"expires_at", t->info.expires_at},
                         {"scopes", service::ScopeNames(t->info.scopes)}});
}

Reply HandleRevokeToken(const ApiServices& s, const Request& request, const Caller& caller) {
  auto id = IdParam(request);
  if (!id) return Problem(400, "id is required");
  Status st = s.sessions.RevokeToken(caller.principal, caller.context, "", *id);
  return st.ok() ? NoContent() : ProblemFor(st);
}

}  // namespace coffer::http
