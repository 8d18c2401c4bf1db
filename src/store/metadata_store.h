// MetadataStore: the one repository interface for Coffer's metadata.
//
// Implementations: SQLite (embedded default, WAL, one file; sqlite_repo.h, repo_*.cpp) and,
// later, PostgreSQL. Both run the same numbered, forward-only migrations and pass
// the same tests. All SQL lives in src/store as constant text with bound
// parameters (THREAT-MODEL invariant 1).
//
// Security-relevant rows (users' role/credentials/state, group memberships, ACL
// entries, settings) carry a RowMac (invariant 7). A row whose MAC fails is treated
// as absent: getters return kNotFound, lists skip it, and the IntegrityListener is
// told (once per read) so the service can log it and write an activity record.
//
// This layer stores and fetches; it decides nothing about who may do what
// (service/ does). Names arrive already validated and normalised; `name_key` is
// the case-folded form used for uniqueness and lookup.
//
// Thread-safety: every method may be called from any thread. Transact() runs its
// function as one transaction in which all calls made by that thread take part;
// other threads' writes wait. A function returning non-ok rolls the transaction back.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/row_mac.h"
#include "util/bytes.h"
#include "util/status.h"

namespace coffer::store {

using Id = int64_t;
// The root of the folder tree; created by the first migration, never deleted.
constexpr Id kRootFolderId = 1;

enum class Role : int { kUser = 0, kAdmin = 1 };

struct User {
  Id id = 0;
  std::string name;      // as given (NFC)
  std::string name_key;  // case-folded; unique
  std::string display_name;
  Role role = Role::kUser;
  bool disabled = false;
  std::string password_hash;  // libsodium Argon2id string; empty: no password sign-in
  bool must_change_password = false;
  int64_t quota_bytes = 0;   // 0: unlimited
  int64_t used_bytes = 0;    // bytes of all versions this user uploaded that are still stored
  int64_t created_at = 0;    // unix seconds
  bool mfa_enabled = false;  // a confirmed TOTP second factor exists (mfa_secrets)
};
// MAC'd: id, name_key, role, disabled, password_hash, must_change_password, quota_bytes,
// and "mfa" when mfa_enabled (so rows written before MFA existed keep their MAC).

struct Group {
  Id id = 0;
  std::string name;
  std::string name_key;
  int64_t created_at = 0;
};
// MAC'd: id, name_key. Memberships are MAC'd as (group_id, user_id).

enum class EntryKind : int { kFolder = 0, kFile = 1 };

struct Entry {
  Id id = 0;
  Id parent_id = 0;  // 0 only for the root
  EntryKind kind = EntryKind::kFolder;
  std::string name;      // NFC, as given
  std::string name_key;  // case-folded; unique among live siblings
  Id owner_id = 0;       // the user who created it
  int64_t created_at = 0;
  int64_t modified_at = 0;
  // Files: the current version.
  Id current_version_id = 0;
  int64_t size = 0;
  std::string sha256_hex;
  // Folders: bytes stored in the subtree (every version, recycle bin included)
  // and an optional quota on it (0: none).
  int64_t used_bytes = 0;
  int64_t quota_bytes = 0;
  // Recycle bin: set when deleted (only on the entry deleted, not its descendants).
  std::optional<int64_t> deleted_at;
  Id deleted_by = 0;
};

// A stored content version of a file entry, with what is needed to read its blob.
struct FileVersion {
  Id id = 0;
  Id entry_id = 0;
  std::string blob_id_hex;  // 32 hex digits
  int64_t size = 0;
  std::string sha256_hex;
  int64_t chunk_size = 0;
  int64_t key_id = 0;  // the KEK that wraps `wrapped_key`
  Bytes wrapped_key;
  Id uploaded_by = 0;
  int64_t created_at = 0;
};

enum class SubjectKind : int { kUser = 0, kGroup = 1 };

struct AclEntry {
  Id id = 0;
  Id folder_id = 0;
  SubjectKind subject_kind = SubjectKind::kUser;
  Id subject_id = 0;
  uint32_t perms = 0;  // service::Perm bits; 0 is an explicit "no access" override
};
// MAC'd: id, folder_id, subject_kind, subject_id, perms.

// An SSH public key a user may sign in with over SFTP.
struct SshKey {
  Id id = 0;
  Id user_id = 0;
  std::string algorithm;    // e.g. "ssh-ed25519"
  std::string key_base64;   // the public key blob, base64 as in authorized_keys
  std::string fingerprint;  // "SHA256:..." (unique per user)
  std::string comment;
  int64_t created_at = 0;
  int64_t last_used_at = 0;  // 0: never
};
// MAC'd: id, user_id, algorithm, key_base64.

// A signed-in web session. The client holds a random id; only its SHA-256 is
// stored, so a copy of the database opens no session.
struct SessionRow {
  Id id = 0;
  Bytes id_hash;  // SHA-256 of the id in the cookie
  Id user_id = 0;
  int64_t created_at = 0;    // unix seconds
  int64_t expires_at = 0;    // absolute end
  int64_t last_seen_at = 0;  // idle time-out counts from here
  int64_t mfa_at = 0;        // when the second factor was last verified; 0: never
  bool mfa_pending = false;  // password accepted, second factor still owed
  std::string address;
  std::string user_agent;
};
// MAC'd: id, id_hash, user_id, created_at, expires_at, mfa_at, mfa_pending.

// An API token. The secret is 256 random bits; only its SHA-256 is stored.
struct ApiTokenRow {
  Id id = 0;
  std::string public_id;  // the lookup part shown in lists and logs
  Bytes secret_hash;
  Id user_id = 0;
  std::string name;
  uint32_t scopes = 0;  // bits: 1 read, 2 write, 4 admin
  int64_t created_at = 0;
  int64_t expires_at = 0;
  int64_t last_used_at = 0;  // 0: never
};
// MAC'd: id, public_id, secret_hash, user_id, scopes, expires_at.
// A resumable upload in progress (tus). Ids and offsets only: the content is a
// partial blob named by blob_id_hex, sealed under the wrapped key.
struct UploadRow {
  Id id = 0;
  std::string public_id;  // 32 hex digits, random; the id clients see
  Id user_id = 0;         // the owner; nobody else may see or continue it
  std::string path;       // normalised target path
  int64_t length = 0;     // declared size
  int64_t received = 0;   // durable offset
  std::string blob_id_hex;
  int64_t chunk_size = 0;
  int64_t key_id = 0;
  Bytes wrapped_key;
  int64_t created_at = 0;
  int64_t expires_at = 0;
};
// MAC'd: id, public_id, user_id, path, length, blob_id_hex, chunk_size, key_id, wrapped_key.
// A user's TOTP seed, sealed outside the store's knowledge (the store never
// sees it in clear). `enabled` is false while enrolment awaits its first code.
struct MfaSecret {
  Id user_id = 0;
  Bytes sealed_secret;
  bool enabled = false;
  int64_t last_step = 0;  // the last accepted time step; a step is accepted once
  int64_t created_at = 0;
  int64_t enabled_at = 0;
};
// MAC'd: user_id, sealed_secret, enabled, last_step, enabled_at.

// Failed sign-ins of one account from one address ("*": from anywhere).
struct AccountFailures {
  Id user_id = 0;
  std::string address;
  int64_t failures = 0;
  int64_t last_failure_at = 0;  // unix seconds
  int64_t locked_until = 0;     // unix seconds; 0: not locked
};

// The defender's view of one source address.
struct AddressDefense {
  std::string address;
  int64_t score_milli = 0;  // thousandths of a point, as of scored_at
  int64_t scored_at = 0;
  int64_t bans = 0;          // bans so far (each lasts longer)
  int64_t banned_until = 0;  // unix seconds; 0: not banned
};

// An administrator's rule for an address or network ("192.0.2.0/24", "::1").
struct IpRule {
  Id id = 0;
  std::string network;
  bool allow = false;  // allow: never banned; deny: always refused
  std::string comment;
  int64_t created_at = 0;
};
// MAC'd: id, network, allow.

struct ActivityRecord {
  Id id = 0;
  int64_t at_us = 0;  // unix microseconds
  Id actor_id = 0;
  std::string actor_name;
  std::string protocol;  // "cli", "https", "sftp", "ftps", "system"
  std::string address;
  std::string session;
  std::string action;  // e.g. "file.upload", "user.create", "integrity.alert"
  std::string path;
  Id object_id = 0;
  std::string result;  // "ok", "denied", "error"
  std::string detail;  // reason on denial/error; never secrets
  int64_t bytes = 0;
  std::string sha256_hex;
  // The hash chain (docs/audit.md): empty for records written before it existed.
  Bytes prev_hash;
  Bytes hash;
};

// The newest activity record's id and hash (id 0 and empty hash: none yet).
struct ActivityHead {
  Id id = 0;
  Bytes hash;
};

// A signature over (record_id, head_hash, at_us) by the audit signing key.
struct AuditCheckpoint {
  Id id = 0;
  Id record_id = 0;
  Bytes head_hash;
  int64_t at_us = 0;
  Bytes signature;
};

struct ActivityFilter {
  std::optional<Id> actor_id;
  Id before_id = 0;  // keyset: records with id < before_id (0: from the newest)
  size_t limit = 100;
};

// Which index drives an activity search: the first filter given, in this order
// (store/repo_audit_search.cpp); the other filters are checked on the rows it yields.
enum class ActivityDriver { kActor, kAction, kAddress, kResult, kTime };

// A search of the activity record, newest first by (at_us, id). Empty strings
// and a negative actor id mean "any".
struct ActivitySearch {
  Id actor_id = -1;
  std::string action;       // exact
  std::string path_prefix;  // the record's path starts with this
  std::string address;      // exact
  std::string result;       // "ok", "denied" or "error"
  int64_t since_us = 0;     // at_us >= since_us
  // Keyset: records with (at_us, id) < (before_at_us, before_id). The until
  // bound of a time range is (until_us, 0).
  int64_t before_at_us = INT64_MAX;
  Id before_id = 0;
  size_t limit = 100;  // clamped to [1, 1000]
};

// A signed checkpoint that pruning made the start of the chain: records up to
// record_id were deleted, and verification starts after it with head_hash.
struct AuditAnchor {
  Id id = 0;
  Id checkpoint_id = 0;
  Id record_id = 0;
  Bytes head_hash;
  int64_t at_us = 0;  // the checkpoint's time (signed with it)
  Bytes signature;
  int64_t pruned_at_us = 0;
};

// Keyset position in a folder listing: entries sort by (kind, name_key, id),
// folders first. A default cursor means "from the start".
// The order of a folder listing. Folders always come before files.
enum class ListOrder : int { kName = 0, kModified = 1, kSize = 2 };

// Where a listing page starts: after the entry described here (kind -1: from
// the start). `value` is modified_at or size for those orders.
struct ListCursor {
  int kind = -1;
  std::string name_key;
  Id id = 0;
  ListOrder order = ListOrder::kName;
  bool descending = false;
  int64_t value = 0;
};

// The cursor that continues `base`'s listing after `e`.
ListCursor CursorAfter(const ListCursor& base, const Entry& e);

struct IntegrityAlert {
  std::string table;
  Id row_id = 0;
  std::string detail;
};
using IntegrityListener = std::function<void(const IntegrityAlert&)>;

class MetadataStore {
 public:
  virtual ~MetadataStore() = default;

  virtual void SetIntegrityListener(IntegrityListener listener) = 0;
  virtual Status Transact(const std::function<Status()>& fn) = 0;

  // Users. Getters return kNotFound for absent or MAC-failed rows.
  virtual Result<Id> CreateUser(const User& user) = 0;  // kAlreadyExists on name_key
  virtual Result<User> GetUser(Id id) = 0;
  virtual Result<User> GetUserByName(std::string_view name_key) = 0;
  virtual Result<std::vector<User>> ListUsers(std::string_view after_name_key, size_t limit) = 0;
  virtual Status UpdateUser(const User& user) = 0;  // all fields but used_bytes; re-MACs
  virtual Status AddUserUsedBytes(Id user_id, int64_t delta) = 0;
  virtual Status DeleteUser(Id id) = 0;  // also memberships and ACL entries of the user

  // Groups and memberships.
  virtual Result<Id> CreateGroup(const Group& group) = 0;
  virtual Result<Group> GetGroupByName(std::string_view name_key) = 0;
  virtual Result<Group> GetGroup(Id id) = 0;
  virtual Result<std::vector<Group>> ListGroups() = 0;
  virtual Status DeleteGroup(Id id) = 0;                     // also its memberships and ACL entries
  virtual Status AddMember(Id group_id, Id user_id) = 0;     // kAlreadyExists if present
  virtual Status RemoveMember(Id group_id, Id user_id) = 0;  // kNotFound if absent
  virtual Result<std::vector<Id>> ListGroupIdsOfUser(Id user_id) = 0;
  virtual Result<std::vector<Id>> ListMemberIds(Id group_id) = 0;

  // Entries (folders and files).
  virtual Result<Entry> GetEntry(Id id) = 0;  // live or deleted
  // The live child with this name_key; kNotFound if none.
  virtual Result<Entry> FindChild(Id parent_id, std::string_view name_key) = 0;
  // Live children after `cursor`, folders first, then in the cursor's order
  // (name_key, modified_at or size, ascending or descending; id breaks ties),
  // at most `limit`. Every order is an index walk (migrations 1 and 11).
  virtual Result<std::vector<Entry>> ListChildren(Id parent_id, const ListCursor& cursor,
                                                  size_t limit) = 0;
  // Children that were deleted directly (the recycle bin of this folder).
  virtual Result<std::vector<Entry>> ListDeletedChildren(Id parent_id, size_t limit) = 0;
  // Every child, live or deleted (for purging a subtree).
  virtual Result<std::vector<Entry>> ListAllChildren(Id parent_id) = 0;
  // Entries deleted at or before `deleted_before`, oldest first.
  virtual Result<std::vector<Entry>> ListExpiredDeleted(int64_t deleted_before, size_t limit) = 0;
  virtual Result<Id> InsertEntry(const Entry& entry) = 0;  // kAlreadyExists on a live name
  virtual Status MoveEntry(Id id, Id new_parent_id, std::string_view name,
                           std::string_view name_key, int64_t modified_at) = 0;
  virtual Status SetCurrentVersion(Id entry_id, const FileVersion& version) = 0;
  virtual Status SetModifiedAt(Id id, int64_t modified_at) = 0;
  virtual Status SetDeleted(Id id, std::optional<int64_t> deleted_at, Id deleted_by) = 0;
  virtual Status AddFolderUsedBytes(Id folder_id, int64_t delta) = 0;
  virtual Status SetFolderQuota(Id folder_id, int64_t quota_bytes) = 0;
  virtual Status DeleteEntryRow(Id id) = 0;  // the row itself (purge); versions must be gone

  // File versions.
  virtual Result<Id> InsertVersion(const FileVersion& version) = 0;
  virtual Result<FileVersion> GetVersion(Id id) = 0;
  virtual Result<std::vector<FileVersion>> ListVersions(Id entry_id) = 0;  // newest first
  virtual Status DeleteVersion(Id id) = 0;
  virtual Result<bool> BlobReferenced(std::string_view blob_id_hex) = 0;
  // Key rotation: versions whose key_id differs from `key_id`, by version id.
  virtual Result<std::vector<FileVersion>> ListVersionsNotUsingKey(int64_t key_id, Id after_id,
                                                                   size_t limit) = 0;
  virtual Status UpdateVersionKey(Id version_id, int64_t key_id, const Bytes& wrapped_key) = 0;

  // ACL entries (one per folder and subject).
  virtual Status PutAcl(const AclEntry& entry) = 0;  // insert or replace perms
  virtual Status DeleteAcl(Id folder_id, SubjectKind kind, Id subject_id) = 0;  // kNotFound
  virtual Result<std::vector<AclEntry>> ListAclForFolder(Id folder_id) = 0;
  // Every entry whose subject is this user or one of these groups.
  virtual Result<std::vector<AclEntry>> ListAclForSubjects(Id user_id,
                                                           const std::vector<Id>& group_ids) = 0;

  // SSH keys. Lists skip (and report) MAC-failed rows. At most 1,000 per user.
  virtual Result<Id> AddSshKey(const SshKey& key) = 0;  // kAlreadyExists on fingerprint
  virtual Result<std::vector<SshKey>> ListSshKeys(Id user_id) = 0;
  virtual Status DeleteSshKey(Id user_id, std::string_view fingerprint) = 0;  // kNotFound
  virtual Status TouchSshKey(Id id, int64_t last_used_at) = 0;

  // Sessions and API tokens. Getters and lists skip (and report) MAC-failed rows.
  virtual Result<Id> InsertSession(const SessionRow& row) = 0;
  virtual Result<std::optional<SessionRow>> FindSession(const Bytes& id_hash) = 0;
  virtual Result<std::vector<SessionRow>> ListSessions(Id user_id) = 0;  // newest first, <= 1000
  virtual Status TouchSession(Id id, int64_t last_seen_at) = 0;
  virtual Status CompleteSessionMfa(Id id, int64_t mfa_at) = 0;  // clears mfa_pending
  virtual Status DeleteSession(Id user_id, Id id) = 0;           // kNotFound
  virtual Result<int64_t> DeleteSessionsOf(Id user_id) = 0;      // user_id 0: everyone's
  virtual Result<int64_t> DeleteExpiredSessions(int64_t now) = 0;
  virtual Result<Id> InsertApiToken(const ApiTokenRow& row) = 0;
  virtual Result<std::optional<ApiTokenRow>> FindApiToken(std::string_view public_id) = 0;
  virtual Result<std::vector<ApiTokenRow>> ListApiTokens(Id user_id) = 0;  // <= 1000
  virtual Status TouchApiToken(Id id, int64_t last_used_at) = 0;
  virtual Status DeleteApiToken(Id user_id, Id id) = 0;       // kNotFound
  virtual Result<int64_t> DeleteApiTokensOf(Id user_id) = 0;  // user_id 0: everyone's
  // Resumable uploads. Finders skip (and report) MAC-failed rows.
  virtual Result<Id> InsertUpload(const UploadRow& row) = 0;
  virtual Result<std::optional<UploadRow>> FindUpload(std::string_view public_id) = 0;
  virtual Result<int64_t> CountUploads(Id user_id, int64_t now) = 0;  // not yet expired
  // Sets the durable offset and the expiry; kNotFound if the upload is gone.
  virtual Status UpdateUploadProgress(Id id, int64_t received, int64_t expires_at) = 0;
  virtual Status DeleteUpload(Id id) = 0;  // kNotFound
  virtual Result<std::vector<UploadRow>> ListExpiredUploads(int64_t now, size_t limit) = 0;
  virtual Result<bool> PartialBlobReferenced(std::string_view blob_id_hex) = 0;
  // TOTP. A missing or MAC-failed row reads as none (the failure is reported).
  virtual Result<std::optional<MfaSecret>> GetMfaSecret(Id user_id) = 0;
  virtual Status PutMfaSecret(const MfaSecret& secret) = 0;  // insert or replace
  virtual Status DeleteMfa(Id user_id) = 0;                  // the secret and every recovery code
  // Recovery codes (keyed hashes). Replace drops the old set; at most 100.
  virtual Status ReplaceRecoveryCodes(Id user_id, const std::vector<std::string>& code_hashes,
                                      int64_t created_at) = 0;
  virtual Result<int64_t> CountRecoveryCodes(Id user_id) = 0;  // valid MACs only
  // Deletes the matching code; kNotFound if none (or only a forged one) exists.
  virtual Status UseRecoveryCode(Id user_id, std::string_view code_hash) = 0;

  // Sign-in defence. Getters return a zeroed row when there is none.
  virtual Result<AccountFailures> GetAccountFailures(Id user_id, std::string_view address) = 0;
  virtual Status PutAccountFailures(const AccountFailures& f) = 0;  // insert or replace
  virtual Status ClearAccountFailures(Id user_id) = 0;              // every address
  virtual Result<AddressDefense> GetAddressDefense(std::string_view address) = 0;
  virtual Status PutAddressDefense(const AddressDefense& d) = 0;  // insert or replace
  virtual Status DeleteAddressDefense(std::string_view address) = 0;
  // Addresses banned past `now`, latest ban end first (at most `limit`, <= 1000).
  virtual Result<std::vector<AddressDefense>> ListBans(int64_t now, size_t limit) = 0;
  // IP rules (at most 10,000). Lists skip (and report) MAC-failed rows.
  virtual Result<Id> AddIpRule(const IpRule& rule) = 0;  // kAlreadyExists on network
  virtual Result<std::vector<IpRule>> ListIpRules() = 0;
  virtual Status DeleteIpRule(std::string_view network) = 0;  // kNotFound

  // Settings (MAC'd key/value).
  virtual Result<std::optional<std::string>> GetSetting(std::string_view key) = 0;
  virtual Status PutSetting(std::string_view key, std::string_view value) = 0;

  // Activity: append-only (no update or delete statement exists for it).
  virtual Result<Id> AppendActivity(const ActivityRecord& record) = 0;
  virtual Result<std::vector<ActivityRecord>> ListActivity(const ActivityFilter& filter) = 0;

  // The audit chain. AppendActivity writes `record.id` when non-zero (the chain
  // hashes the id, so the caller picks it: head id + 1 inside its transaction).
  virtual Result<ActivityHead> GetActivityHead() = 0;
  // Records with id > after_id, oldest first, at most `limit` (clamped to 100,000).
  virtual Result<std::vector<ActivityRecord>> ScanActivity(Id after_id, size_t limit) = 0;
  // The highest activity id ever assigned (SQLite's AUTOINCREMENT sequence), 0 if none.
  virtual Result<Id> ActivitySequence() = 0;
  virtual Result<Id> AppendCheckpoint(const AuditCheckpoint& checkpoint) = 0;
  virtual Result<std::optional<AuditCheckpoint>> LastCheckpoint() = 0;
  // Checkpoints after (after_record_id, after_id) in (record_id, id) order, at
  // most `limit` (clamped to 100,000).
  virtual Result<std::vector<AuditCheckpoint>> ListCheckpoints(Id after_record_id, Id after_id,
                                                               size_t limit) = 0;

  // Search (indexed on every filter that can drive it; see ActivityDriver).
  virtual Result<std::vector<ActivityRecord>> SearchActivity(const ActivitySearch& search) = 0;

  // Retention. The newest checkpoint signed before `before_at_us` (nullopt: none).
  virtual Result<std::optional<AuditCheckpoint>> LastCheckpointBefore(int64_t before_at_us) = 0;
  virtual Result<Id> AppendAnchor(const AuditAnchor& anchor) = 0;
  virtual Result<std::optional<AuditAnchor>> LatestAnchor() = 0;
  // Deletes up to `limit` of the oldest records with id <= the newest anchor's
  // record_id (the triggers refuse any other) and the checkpoints before it;
  // returns how many records went.
  virtual Result<int64_t> PruneActivityBatch(Id up_to_record_id, size_t limit) = 0;
};

struct SqliteOptions {
  int busy_timeout_ms = 5000;
};

// Opens (creating if missing) the SQLite database at `path` in WAL mode and runs
// pending migrations. The RowMac key comes from the Keyring, never the database.
Result<std::unique_ptr<MetadataStore>> OpenSqliteStore(const std::string& path,
                                                       const crypto::RowMac& mac,
                                                       SqliteOptions options = {});

}  // namespace coffer::store
