// Route handlers, one function per route, grouped by file (routes_*.cpp).
// Internal to src/http: api.cpp calls them after matching and identifying the
// caller. A handler parses its input, makes one service call, and maps the
// result to a Reply; it never touches the store or the blob store.
#pragma once

#include "http/api.h"
#include "http/caller.h"

namespace coffer::http {

// Maps a service Status to a problem reply with no detail (problem.h).
Reply ProblemFor(const Status& status);

// routes_auth.cpp
Reply HandleLogin(const ApiServices& s, const Request& request);
Reply HandleLogout(const ApiServices& s, const Request& request, const Caller& caller);
Reply HandleMe(const ApiServices& s, const Request& request, const Caller& caller);
Reply HandleChangePassword(const ApiServices& s, const Request& request, const Caller& caller);
Reply HandleListSessions(const ApiServices& s, const Request& request, const Caller& caller);
Reply HandleRevokeSession(const ApiServices& s, const Request& request, const Caller& caller);
Reply HandleListTokens(const ApiServices& s, const Request& request, const Caller& caller);
Reply HandleCreateToken(const ApiServices& s, const Request& request, const Caller& caller);
Reply HandleRevokeToken(const ApiServices& s, const Request& request, const Caller& caller);

// Second factor (routes_mfa.cpp): completing a pending sign-in, re-authenticating
// before sensitive actions, and the caller's own TOTP enrolment. Sessions only.
Reply HandleMfa(RouteId id, const ApiServices& s, const Request& request, const Caller& caller);

// Administration (routes_admin.cpp): users, groups, folders, grants, bans and
// IP rules. The route carries Access::kAdmin; the service still authorizes.
Reply HandleAdmin(RouteId id, service::AdminService& admin, const Request& request,
                  const Caller& caller);
// SSH keys (routes_keys.cpp): the caller's own, or with `?user=` anyone's for an
// administrator whose token has the admin scope. `others` false refuses
// `?user=` naming someone else (administration lives on another listener).
Reply HandleSshKeys(RouteId id, service::AdminService& admin, const Request& request,
                    const Caller& caller, bool others);
// Files (routes_files.cpp, routes_content.cpp).
Reply FilesList(const ApiServices& s, const Request& r, const Caller& c);
Reply FilesStat(const ApiServices& s, const Request& r, const Caller& c);
Reply FilesMkdir(const ApiServices& s, const Request& r, const Caller& c);
Reply FilesMove(const ApiServices& s, const Request& r, const Caller& c);
Reply FilesCopy(const ApiServices& s, const Request& r, const Caller& c);
Reply FilesDelete(const ApiServices& s, const Request& r, const Caller& c);
Reply RecycleList(const ApiServices& s, const Request& r, const Caller& c);
Reply RecycleRestore(const ApiServices& s, const Request& r, const Caller& c);
Reply FilesDownload(const ApiServices& s, const Request& r, const Caller& c);
StreamStart FilesUpload(const ApiServices& s, const Request& r, const Caller& c);
// Resumable uploads (routes_uploads.cpp).
Reply UploadsOptions(const ApiServices& s, const Request& r);
Reply UploadsCreate(const ApiServices& s, const Request& r, const Caller& c);
Reply UploadsStatus(const ApiServices& s, const Request& r, const Caller& c);
Reply UploadsTerminate(const ApiServices& s, const Request& r, const Caller& c);
StreamStart UploadsAppend(const ApiServices& s, const Request& r, const Caller& c);
// routes_activity.cpp
Reply HandleActivitySearch(const ApiServices& s, const Request& request, const Caller& caller);
// routes_web.cpp: the embedded web interface file at the request's exact path.
Reply WebAssetReply(const Request& request);

}  // namespace coffer::http
