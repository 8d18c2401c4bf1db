// AdminService: accounts, groups, folders, grants and sign-in, through the same
// door as files. Every call takes a principal and context, is authorized here,
// and writes an activity record whether allowed or denied.
//
// Who may do what:
//   - users and groups: administrators only;
//   - top-level folders and folder quotas: administrators only;
//   - grants on a folder: administrators, or a principal with "manage" on it;
//     only administrators may grant "manage" itself.
// Creating or promoting an administrator and granting "manage" also need a
// fresh second factor: principal.mfa_at within [mfa] fresh_seconds
// (RequireFreshSecondFactor in operation.h; the local CLI is exempt), and a new
// administrator raises an "alert.admin.created" activity record.
// A password is never stored or logged in clear; generated passwords are
// returned once to the caller and must be changed at first sign-in.
// Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "service/activity.h"
#include "service/defender.h"
#include "service/file_service.h"
#include "service/passwords.h"
#include "store/metadata_store.h"

namespace coffer::service {

struct UserInfo {
  store::Id id = 0;
  std::string name;
  std::string display_name;
  bool admin = false;
  bool disabled = false;
  bool must_change_password = false;
  int64_t quota_bytes = 0;
  int64_t used_bytes = 0;
  int64_t created_at = 0;
  std::vector<std::string> groups;
};

struct NewUser {
  std::string name;
  std::string display_name;
  bool admin = false;
  int64_t quota_bytes = 0;
  std::optional<std::string> password;  // none: one is generated and returned
};

struct CreatedUser {
  UserInfo user;
  std::string generated_password;  // empty if the caller supplied one
};

struct ActivityQuery {
  std::string user;         // a user name ("" : any, or yourself for non-admins)
  std::string action;       // exact, e.g. "file.upload"
  std::string path_prefix;  // the record's path starts with this
  std::string address;      // exact
  std::string result;       // "", "ok", "denied" or "error"
  int64_t since_us = 0;     // at_us >= since_us
  int64_t until_us = 0;     // at_us < until_us (0: no end)
  std::string cursor;       // from a previous page's next_cursor
  size_t limit = 100;       // 1 to [limits] max_page_size
};

struct ActivityPage {
  std::vector<store::ActivityRecord> items;
  std::string next_cursor;  // empty: the last page
};

struct PruneReport {
  int64_t removed = 0;    // records deleted
  store::Id anchor = 0;   // the record the chain now starts after (0: nothing pruned)
  int64_t cutoff_us = 0;  // records older than this were due
};

struct GroupInfo {
  store::Id id = 0;
  std::string name;
  std::vector<std::string> members;
};

struct GrantInfo {
  std::string folder;   // path
  std::string subject;  // user name, or "@group"
  uint32_t perms = 0;
};

struct SshKeyInfo {
  std::string algorithm;
  std::string fingerprint;  // "SHA256:..."
  std::string comment;
  int64_t created_at = 0;
  int64_t last_used_at = 0;  // 0: never used
};

class AdminService {
 public:
  AdminService(const config::Config& config, store::MetadataStore& store, ActivityLog& activity,
               FileService& files);

  // Users.
  Result<CreatedUser> CreateUser(const Principal& p, const Context& c, const NewUser& user);
  Result<std::vector<UserInfo>> ListUsers(const Principal& p, const Context& c);
  Result<UserInfo> GetUser(const Principal& p, const Context& c, std::string_view name);
  Status SetDisabled(const Principal& p, const Context& c, std::string_view name, bool disabled);
  Status DeleteUser(const Principal& p, const Context& c, std::string_view name);
  // Sets `password`, or generates one (returned). `must_change` forces a change
  // at the next sign-in.
  Result<std::string> SetPassword(const Principal& p, const Context& c, std::string_view name,
                                  std::optional<std::string> password, bool must_change);
  Status SetUserQuota(const Principal& p, const Context& c, std::string_view name, int64_t bytes);
  // A signed-in user changes their own password: the current one must be given
  // (a wrong one counts as a failed sign-in), the new one must meet the policy
  // and differ from it. Clears a forced change.
  Status ChangeOwnPassword(const Principal& p, const Context& c, std::string_view current,
                           std::string_view chosen);
  // Makes a user an administrator (or an ordinary user again). Promoting needs a
  // fresh second factor (see below) and raises an "alert.admin.created" record.
  Status SetAdmin(const Principal& p, const Context& c, std::string_view name, bool admin);

  // Groups.
  Result<GroupInfo> CreateGroup(const Principal& p, const Context& c, std::string_view name);
  Result<std::vector<GroupInfo>> ListGroups(const Principal& p, const Context& c);
  Status DeleteGroup(const Principal& p, const Context& c, std::string_view name);
  Status AddMember(const Principal& p, const Context& c, std::string_view group,
                   std::string_view user);
  Status RemoveMember(const Principal& p, const Context& c, std::string_view group,
                      std::string_view user);

  // Folders and grants. `subject` is a user name or "@group".
  Result<EntryInfo> CreateFolder(const Principal& p, const Context& c, std::string_view path,
                                 int64_t quota_bytes);
  Status SetFolderQuota(const Principal& p, const Context& c, std::string_view path,
                        int64_t bytes);
  Status Grant(const Principal& p, const Context& c, std::string_view path,
               std::string_view subject, uint32_t perms);
  Status Revoke(const Principal& p, const Context& c, std::string_view path,
                std::string_view subject);
  Result<std::vector<GrantInfo>> ListGrants(const Principal& p, const Context& c,
                                            std::string_view path);

  // SSH keys for SFTP sign-in: a user manages their own; administrators anyone's.
  // `key_text` is one authorized_keys line (service/ssh_key_text.h).
  Result<SshKeyInfo> AddSshKey(const Principal& p, const Context& c, std::string_view user,
                               std::string_view key_text);
  Result<std::vector<SshKeyInfo>> ListSshKeys(const Principal& p, const Context& c,
                                              std::string_view user);
  Status RemoveSshKey(const Principal& p, const Context& c, std::string_view user,
                      std::string_view fingerprint);

  // Activity records, newest first. Administrators see everyone's (optionally one
  // user's); anyone else sees only their own.
  Result<std::vector<store::ActivityRecord>> ListActivity(const Principal& p, const Context& c,
                                                          std::string_view user, store::Id before_id,
                                                          size_t limit);

  // Search of the activity record, newest first (docs/audit.md, "Search").
  // Administrators search everyone's records; anyone else only their own (a
  // `user` other than themselves is denied). The search itself is recorded.
  Result<ActivityPage> SearchActivity(const Principal& p, const Context& c,
                                      const ActivityQuery& query);
  // Retention ([audit] retention_days): after verifying the whole chain, makes
  // the newest checkpoint signed before the cutoff the chain's anchor, records
  // that (audit.prune, object_id = the anchor's record id) and deletes the
  // records up to it. Administrators only. kFailedPrecondition without a
  // signing key; kIntegrity (recorded) if the chain does not verify.
  Result<PruneReport> PruneActivity(const Principal& p, const Context& c);

  // Sign-in by password. The same error (kUnauthenticated) and the same work for
  // an unknown user, a disabled one, a wrong password, a locked account and a
  // banned address (the activity record says which). Failures feed the
  // defender (service/defender.h).
  Result<Principal> Authenticate(const Context& c, std::string_view name,
                                 std::string_view password);
  // Public-key sign-in, in the two steps of the SSH protocol. KeyIsAuthorized
  // answers a client's query before it signs (records nothing: the client may
  // offer several keys). AuthenticateKey is called only after the SSH layer has
  // verified the signature; it records the sign-in and the key's last use. Both
  // give the same answer for an unknown user, a disabled one and a wrong key.
  bool KeyIsAuthorized(std::string_view name, std::string_view algorithm,
                       std::string_view key_base64);
  Result<Principal> AuthenticateKey(const Context& c, std::string_view name,
                                    std::string_view algorithm, std::string_view key_base64);

  // Whether remote sign-in of this user is locked down (SessionService::Lockdown).
  bool LockedDown(store::Id user_id);

  // Lifts every sign-in lock of a user (administrators only).
  Status UnlockUser(const Principal& p, const Context& c, std::string_view name);
  Defender& defender() { return defender_; }

  // The principal of an existing, enabled user (for the CLI's --as).
  Result<Principal> PrincipalFor(std::string_view name);

 private:
  Result<store::User> FindUser(std::string_view name);
  Result<store::Group> FindGroup(std::string_view name);
  Result<UserInfo> Info(const store::User& u);
  Result<Principal> MakePrincipal(const store::User& u, AuthMethod auth);
  void RaiseAdminAlert(const Principal& p, const Context& c, const std::string& name,
                       store::Id id);
  void RehashPassword(store::User& u, std::string_view password, const PasswordParams& params,
                      Operation& op);
  struct Subject {
    store::SubjectKind kind;
    store::Id id;
  };
  // The user's stored key matching this one, if the user exists and is enabled.
  Result<store::SshKey> MatchKey(const store::User& u, std::string_view algorithm,
                                 std::string_view key_base64);
  Result<store::User> KeyOwner(const Principal& p, std::string_view user);
  Result<Subject> FindSubject(std::string_view subject);
  Result<std::string> SubjectName(store::SubjectKind kind, store::Id id);
  Result<CreatedUser> CreateUserIn(Operation& op, const NewUser& user);
  Status ChangeMembership(const Principal& p, const Context& c, std::string_view group,
                          std::string_view user, bool add);
  // Runs `change` on a user inside a transaction together with its activity record.
  using UserChange = std::function<Status(store::User&, Operation&)>;
  Status ChangeUser(const Principal& p, const Context& c, std::string action,
                    std::string_view name, const UserChange& change);
  Status GrantIn(Operation& op, const Access& a, std::string_view path, std::string_view subject,
                 std::optional<uint32_t> perms);

  const config::Config& config_;
  store::MetadataStore& store_;
  ActivityLog& activity_;
  FileService& files_;
  Defender defender_;
};

}  // namespace coffer::service
