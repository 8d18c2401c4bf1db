// SqliteRepo: MetadataStore on SQLite (internal to store/; see metadata_store.h).
//
// Limits: every list that takes a `limit` clamps it to [1, kMaxListLimit]
// (1000) and pages with a keyset cursor. Lists without a cursor are bounded by a
// constant LIMIT in their statement: groups 10,000; a user's groups 10,000; a
// group's members 100,000; a folder's ACL 10,000; versions of a file 1,000; ACL
// entries per subject 100,000 (and at most 1,000 groups per call). Only
// ListAllChildren is unbounded, as its contract requires (purge walks it).
//
// MAC'd rows are verified on every read; a failing row is skipped (or kNotFound)
// and reported to the listener. The listener runs on the calling thread, with
// the database mutex held, so it may call back into the store.
#pragma once

#include <algorithm>
#include <memory>
#include <mutex>

#include "store/metadata_store.h"
#include "store/sqldb.h"

namespace coffer::store {

inline constexpr size_t kMaxListLimit = 1000;
inline int64_t ClampLimit(size_t limit) {
  return static_cast<int64_t>(std::clamp<size_t>(limit, 1, kMaxListLimit));
}

class SqliteRepo final : public MetadataStore {
 public:
  SqliteRepo(std::unique_ptr<Db> db, const crypto::RowMac& mac) : db_(std::move(db)), mac_(mac) {}

  void SetIntegrityListener(IntegrityListener listener) override;
  Status Transact(const std::function<Status()>& fn) override { return db_->Transact(fn); }

  Result<Id> CreateUser(const User& user) override;
  Result<User> GetUser(Id id) override;
  Result<User> GetUserByName(std::string_view name_key) override;
  Result<std::vector<User>> ListUsers(std::string_view after_name_key, size_t limit) override;
  Status UpdateUser(const User& user) override;
  Status AddUserUsedBytes(Id user_id, int64_t delta) override;
  Status DeleteUser(Id id) override;

  Result<Id> CreateGroup(const Group& group) override;
  Result<Group> GetGroupByName(std::string_view name_key) override;
  Result<Group> GetGroup(Id id) override;
  Result<std::vector<Group>> ListGroups() override;
  Status DeleteGroup(Id id) override;
  Status AddMember(Id group_id, Id user_id) override;
  Status RemoveMember(Id group_id, Id user_id) override;
  Result<std::vector<Id>> ListGroupIdsOfUser(Id user_id) override;
  Result<std::vector<Id>> ListMemberIds(Id group_id) override;

  Result<Entry> GetEntry(Id id) override;
  Result<Entry> FindChild(Id parent_id, std::string_view name_key) override;
  Result<std::vector<Entry>> ListChildren(Id parent_id, const ListCursor& cursor,
                                          size_t limit) override;
  Result<std::vector<Entry>> ListDeletedChildren(Id parent_id, size_t limit) override;
  Result<std::vector<Entry>> ListAllChildren(Id parent_id) override;
  Result<std::vector<Entry>> ListExpiredDeleted(int64_t deleted_before, size_t limit) override;
  Result<Id> InsertEntry(const Entry& entry) override;
  Status MoveEntry(Id id, Id new_parent_id, std::string_view name, std::string_view name_key,
                   int64_t modified_at) override;
  Status SetCurrentVersion(Id entry_id, const FileVersion& version) override;
  Status SetModifiedAt(Id id, int64_t modified_at) override;
  Status SetDeleted(Id id, std::optional<int64_t> deleted_at, Id deleted_by) override;
  Status AddFolderUsedBytes(Id folder_id, int64_t delta) override;
  Status SetFolderQuota(Id folder_id, int64_t quota_bytes) override;
  Status DeleteEntryRow(Id id) override;

  Result<Id> InsertVersion(const FileVersion& version) override;
  Result<FileVersion> GetVersion(Id id) override;
  Result<std::vector<FileVersion>> ListVersions(Id entry_id) override;
  Status DeleteVersion(Id id) override;
  Result<bool> BlobReferenced(std::string_view blob_id_hex) override;
  Result<std::vector<FileVersion>> ListVersionsNotUsingKey(int64_t key_id, Id after_id,
                                                           size_t limit) override;
  Status UpdateVersionKey(Id version_id, int64_t key_id, const Bytes& wrapped_key) override;

  Status PutAcl(const AclEntry& entry) override;
  Status DeleteAcl(Id folder_id, SubjectKind kind, Id subject_id) override;
  Result<std::vector<AclEntry>> ListAclForFolder(Id folder_id) override;
  Result<std::vector<AclEntry>> ListAclForSubjects(Id user_id,
                                                   const std::vector<Id>& group_ids) override;

  Result<Id> AddSshKey(const SshKey& key) override;
  Result<std::vector<SshKey>> ListSshKeys(Id user_id) override;
  Status DeleteSshKey(Id user_id, std::string_view fingerprint) override;
  Status TouchSshKey(Id id, int64_t last_used_at) override;

  Result<Id> InsertSession(const SessionRow& row) override;
  Result<std::optional<SessionRow>> FindSession(const Bytes& id_hash) override;
  Result<std::vector<SessionRow>> ListSessions(Id user_id) override;
  Status TouchSession(Id id, int64_t last_seen_at) override;
  Status CompleteSessionMfa(Id id, int64_t mfa_at) override;
  Status DeleteSession(Id user_id, Id id) override;
  Result<int64_t> DeleteSessionsOf(Id user_id) override;
  Result<int64_t> DeleteExpiredSessions(int64_t now) override;
  Result<Id> InsertApiToken(const ApiTokenRow& row) override;
  Result<std::optional<ApiTokenRow>> FindApiToken(std::string_view public_id) override;
  Result<std::vector<ApiTokenRow>> ListApiTokens(Id user_id) override;
  Status TouchApiToken(Id id, int64_t last_used_at) override;
  Status DeleteApiToken(Id user_id, Id id) override;
  Result<int64_t> DeleteApiTokensOf(Id user_id) override;
  Result<std::optional<MfaSecret>> GetMfaSecret(Id user_id) override;
  Status PutMfaSecret(const MfaSecret& secret) override;
  Status DeleteMfa(Id user_id) override;
  Status ReplaceRecoveryCodes(Id user_id, const std::vector<std::string>& code_hashes,
                              int64_t created_at) override;
  Result<int64_t> CountRecoveryCodes(Id user_id) override;
  Status UseRecoveryCode(Id user_id, std::string_view code_hash) override;

  Result<AccountFailures> GetAccountFailures(Id user_id, std::string_view address) override;
  Status PutAccountFailures(const AccountFailures& f) override;
  Status ClearAccountFailures(Id user_id) override;
  Result<AddressDefense> GetAddressDefense(std::string_view address) override;
  Status PutAddressDefense(const AddressDefense& d) override;
  Status DeleteAddressDefense(std::string_view address) override;
  Result<std::vector<AddressDefense>> ListBans(int64_t now, size_t limit) override;
  Result<Id> AddIpRule(const IpRule& rule) override;
  Result<std::vector<IpRule>> ListIpRules() override;
  Status DeleteIpRule(std::string_view network) override;

  Result<Id> InsertUpload(const UploadRow& row) override;
  Result<std::optional<UploadRow>> FindUpload(std::string_view public_id) override;
  Result<int64_t> CountUploads(Id user_id, int64_t now) override;
  Status UpdateUploadProgress(Id id, int64_t received, int64_t expires_at) override;
  Status DeleteUpload(Id id) override;
  Result<std::vector<UploadRow>> ListExpiredUploads(int64_t now, size_t limit) override;
  Result<bool> PartialBlobReferenced(std::string_view blob_id_hex) override;

  Result<std::optional<std::string>> GetSetting(std::string_view key) override;
  Status PutSetting(std::string_view key, std::string_view value) override;

  Result<Id> AppendActivity(const ActivityRecord& record) override;
  Result<std::vector<ActivityRecord>> ListActivity(const ActivityFilter& filter) override;

  Result<ActivityHead> GetActivityHead() override;
  Result<std::vector<ActivityRecord>> ScanActivity(Id after_id, size_t limit) override;
  Result<Id> ActivitySequence() override;
  Result<Id> AppendCheckpoint(const AuditCheckpoint& checkpoint) override;
  Result<std::optional<AuditCheckpoint>> LastCheckpoint() override;
  Result<std::vector<AuditCheckpoint>> ListCheckpoints(Id after_record_id, Id after_id,
                                                       size_t limit) override;
  Result<std::vector<ActivityRecord>> SearchActivity(const ActivitySearch& search) override;
  Result<std::optional<AuditCheckpoint>> LastCheckpointBefore(int64_t before_at_us) override;
  Result<Id> AppendAnchor(const AuditAnchor& anchor) override;
  Result<std::optional<AuditAnchor>> LatestAnchor() override;
  Result<int64_t> PruneActivityBatch(Id up_to_record_id, size_t limit) override;

 private:
  // MAC helpers: each table's canonical field list.
  std::vector<std::string> UserFields(const User& u) const;
  bool CheckUser(const User& u, const std::string& mac);
  bool CheckAcl(const AclEntry& e, const std::string& mac);
  void Alert(const std::string& table, Id id, const std::string& detail);
  Result<std::optional<User>> ReadUser(Stmt& s);
  Result<std::vector<Entry>> Entries(Stmt& s);
  Result<std::vector<FileVersion>> Versions(Stmt& s);
  Result<std::vector<AclEntry>> AclRows(Stmt& s);
  Result<std::vector<UploadRow>> UploadRows(Stmt& s);
  Status ExpectChange(std::string_view what);

  std::unique_ptr<Db> db_;
  const crypto::RowMac& mac_;
  std::mutex listener_mu_;
  IntegrityListener listener_;  // guarded by listener_mu_
};

}  // namespace coffer::store
