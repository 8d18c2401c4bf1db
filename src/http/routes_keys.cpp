// SSH public keys for SFTP sign-in (docs/api.md, /api/v1/ssh-keys): a user
// manages their own; `?user=` names someone else's, which the service allows
// administrators only. Naming someone else is administration, so the token must
// also carry the admin scope, and on a public listener whose administration
// routes live elsewhere it is not served at all.
#include <variant>

#include "http/handlers.h"
#include "http/request_input.h"
#include "service/admin_service.h"
#include "service/ssh_key_text.h"

namespace coffer::http {

namespace {

using nlohmann::json;

json KeyJson(const service::SshKeyInfo& k) {
  return {{"algorithm", k.algorithm},
          {"fingerprint", k.fingerprint},
          {"comment", k.comment},
          {"created_at", k.created_at},
          {"last_used_at", k.last_used_at}};
}

struct KeyCall {
  service::AdminService& admin;
  const Caller& caller;
  Query query;
  std::string user;  // whose keys
};

// The query of a key route, and whose keys it concerns; a reply if refused.
std::variant<KeyCall, Reply> Start(service::AdminService& admin, const Request& request,
                                   const Caller& caller, bool others,
                                   std::initializer_list<std::string_view> allowed) {
  auto q = Query::Parse(request.target);
  if (!q.ok()) return InputProblem(q.status());
  if (Status st = q->Only(allowed); !st.ok()) return InputProblem(st);
  std::string user = q->Get("user").value_or(caller.principal.name);
  if (user.empty()) return Problem(400, "user= must name a user");
  if (user != caller.principal.name) {
    if (!others) return Problem(404);
    if (!caller.Has(Scope::kAdmin)) return Problem(403, "the token's scopes do not allow this");
  }
  return KeyCall{admin, caller, std::move(*q), std::move(user)};
}

Reply List(KeyCall& k) {
  auto keys = k.admin.ListSshKeys(k.caller.principal, k.caller.context, k.user);
  if (!keys.ok()) return ProblemFor(keys.status());
  json items = json::array();
  for (const auto& key : *keys) items.push_back(KeyJson(key));
  return JsonReply(200, {{"items", std::move(items)}, {"next_cursor", ""}});
}

Result<std::string> KeyLine(const Request& request) {
  COFFER_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request));
  COFFER_RETURN_IF_ERROR(body.Only({"key"}));
  COFFER_ASSIGN_OR_RETURN(
      auto line, body.String("key", "key must be one authorized_keys line of at most 16 KiB",
                             service::kMaxSshKeyText));
  if (!line || line->empty()) return InvalidArgument("the body needs a key");
  return *line;
}

Reply Add(KeyCall& k, const Request& request) {
  auto line = KeyLine(request);
  if (!line.ok()) return InputProblem(line.status());
  auto key = k.admin.AddSshKey(k.caller.principal, k.caller.context, k.user, *line);
  if (!key.ok()) {
    Reply r = ProblemFor(key.status());
    if (key.status().code() == Code::kInvalidArgument) {
      r = Problem(400,
                  "key must be one authorized_keys line: ssh-ed25519, ecdsa-sha2-nistp256/384/521 "
                  "or ssh-rsa of 2048 bits or more, without options");
    }
    return r;
  }
  return JsonReply(201, KeyJson(*key));
}

Reply Remove(KeyCall& k) {
  auto fingerprint = k.query.Require("fingerprint", "the query needs fingerprint=");
  if (!fingerprint.ok()) return InputProblem(fingerprint.status());
  Status st = k.admin.RemoveSshKey(k.caller.principal, k.caller.context, k.user, *fingerprint);
  if (!st.ok()) return ProblemFor(st);
  return NoContent();
}

}  // namespace

Reply HandleSshKeys(RouteId id, service::AdminService& admin, const Request& request,
                    const Caller& caller, bool others) {
  const bool remove = id == RouteId::kSshKeyRemove;
  auto started = remove ? Start(admin, request, caller, others, {"user", "fingerprint"})
                        : Start(admin, request, caller, others, {"user"});
  if (auto* refused = std::get_if<Reply>(&started)) return std::move(*refused);
  KeyCall& k = std::get<KeyCall>(started);
  switch (id) {
    case RouteId::kSshKeysList:
      return List(k);
    case RouteId::kSshKeyAdd:
      return Add(k, request);
    case RouteId::kSshKeyRemove:
      return Remove(k);
    default:
      return Problem(500);
  }
}

}  // namespace coffer::http
