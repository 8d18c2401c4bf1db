// Numbered, forward-only migrations. Each migration is a list of single
// statements (never a script: the prepare layer refuses stacked statements) and
// runs in one BEGIN IMMEDIATE transaction together with its schema_migrations
// row, so it is applied exactly once even when two processes open the file.
//
// Ids of users, groups, entries and ACL entries are AUTOINCREMENT: an id is never
// reused, so a MAC'd row copied before a deletion cannot later be replayed onto a
// new user, group or folder that happens to get the same id.
#include "store/schema.h"

#include <span>

namespace coffer::store {

namespace {

constexpr Sql kMigration1[] = {
    "CREATE TABLE users ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,"
    " name_key TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL,"
    " role INTEGER NOT NULL CHECK (role IN (0, 1)), disabled INTEGER NOT NULL,"
    " password_hash TEXT NOT NULL, must_change_password INTEGER NOT NULL,"
    " quota_bytes INTEGER NOT NULL, used_bytes INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL, mac TEXT NOT NULL DEFAULT '')",
    // "groups" is an SQL keyword (window frames); user_groups avoids quoting.
    "CREATE TABLE user_groups ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,"
    " name_key TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL, mac TEXT NOT NULL DEFAULT '')",
    "CREATE TABLE memberships ("
    " group_id INTEGER NOT NULL REFERENCES user_groups (id) ON DELETE CASCADE,"
    " user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
    " mac TEXT NOT NULL, PRIMARY KEY (group_id, user_id))",
    "CREATE INDEX memberships_by_user ON memberships (user_id)",
    // Folders and files. The root's parent is NULL (read back as 0); every other
    // entry's parent must exist, so a folder can only be removed once empty.
    "CREATE TABLE entries ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " parent_id INTEGER REFERENCES entries (id),"
    " kind INTEGER NOT NULL CHECK (kind IN (0, 1)),"
    " name TEXT NOT NULL, name_key TEXT NOT NULL, owner_id INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL, modified_at INTEGER NOT NULL,"
    " current_version_id INTEGER NOT NULL DEFAULT 0, size INTEGER NOT NULL DEFAULT 0,"
    " sha256 TEXT NOT NULL DEFAULT '', used_bytes INTEGER NOT NULL DEFAULT 0,"
    " quota_bytes INTEGER NOT NULL DEFAULT 0, deleted_at INTEGER,"
    " deleted_by INTEGER NOT NULL DEFAULT 0)",
    "CREATE UNIQUE INDEX entries_live_name ON entries (parent_id, name_key)"
    " WHERE deleted_at IS NULL",
    // Keyset listing: WHERE parent_id = ? AND (kind, name_key, id) > (?, ?, ?).
    "CREATE INDEX entries_listing ON entries (parent_id, kind, name_key, id)"
    " WHERE deleted_at IS NULL",
    // Every child (purge) and the foreign-key check when a row is removed.
    "CREATE INDEX entries_by_parent ON entries (parent_id, id)",
    "CREATE INDEX entries_recycle ON entries (parent_id, deleted_at, id)"
    " WHERE deleted_at IS NOT NULL",
    "CREATE INDEX entries_deleted ON entries (deleted_at, id) WHERE deleted_at IS NOT NULL",
    "INSERT INTO entries (id, parent_id, kind, name, name_key, owner_id, created_at,"
    " modified_at) VALUES (1, NULL, 0, '', '', 0, 0, 0)",
    // Versions must be removed before their entry (no cascade: blobs need sweeping).
    "CREATE TABLE file_versions ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " entry_id INTEGER NOT NULL REFERENCES entries (id), blob_id TEXT NOT NULL,"
    " size INTEGER NOT NULL, sha256 TEXT NOT NULL, chunk_size INTEGER NOT NULL,"
    " key_id INTEGER NOT NULL, wrapped_key BLOB NOT NULL, uploaded_by INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL)",
    "CREATE INDEX file_versions_by_entry ON file_versions (entry_id, id)",
    "CREATE INDEX file_versions_by_blob ON file_versions (blob_id)",
    "CREATE INDEX file_versions_by_key ON file_versions (key_id, id)",
    "CREATE TABLE acl ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " folder_id INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,"
    " subject_kind INTEGER NOT NULL CHECK (subject_kind IN (0, 1)),"
    " subject_id INTEGER NOT NULL, perms INTEGER NOT NULL, mac TEXT NOT NULL DEFAULT '',"
    " UNIQUE (folder_id, subject_kind, subject_id))",
    "CREATE INDEX acl_by_subject ON acl (subject_kind, subject_id)",
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, mac TEXT NOT NULL)",
    "CREATE TABLE activity ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, at_us INTEGER NOT NULL,"
    " actor_id INTEGER NOT NULL, actor_name TEXT NOT NULL, protocol TEXT NOT NULL,"
    " address TEXT NOT NULL, session TEXT NOT NULL, action TEXT NOT NULL, path TEXT NOT NULL,"
    " object_id INTEGER NOT NULL, result TEXT NOT NULL, detail TEXT NOT NULL,"
    " bytes INTEGER NOT NULL, sha256 TEXT NOT NULL)",
    "CREATE INDEX activity_by_actor ON activity (actor_id, id)",
    // Append-only, whoever writes: these fire for any connection, not just ours.
    "CREATE TRIGGER activity_no_update BEFORE UPDATE ON activity"
    " BEGIN SELECT RAISE(ABORT, 'activity is append-only'); END",
    "CREATE TRIGGER activity_no_delete BEFORE DELETE ON activity"
    " BEGIN SELECT RAISE(ABORT, 'activity is append-only'); END",
};

// SSH public keys for SFTP sign-in (a credential: MAC'd like users rows).
constexpr Sql kMigration2[] = {
    "CREATE TABLE ssh_keys ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
    " algorithm TEXT NOT NULL, key_base64 TEXT NOT NULL, fingerprint TEXT NOT NULL,"
    " comment TEXT NOT NULL, created_at INTEGER NOT NULL, last_used_at INTEGER NOT NULL DEFAULT 0,"
    " mac TEXT NOT NULL DEFAULT '', UNIQUE (user_id, fingerprint))",
};

// Sign-in defence shared by every protocol: failures per account and source
// address (address "*" counts all addresses), scores and bans per address, and
// the administrators' allow/deny rules (MAC'd: an allow rule grants something).
constexpr Sql kMigration3[] = {
    "CREATE TABLE account_failures ("
    " user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE, address TEXT NOT NULL,"
    " failures INTEGER NOT NULL, last_failure_at INTEGER NOT NULL, locked_until INTEGER NOT NULL,"
    " PRIMARY KEY (user_id, address))",
    "CREATE TABLE address_defense ("
    " address TEXT PRIMARY KEY, score_milli INTEGER NOT NULL, scored_at INTEGER NOT NULL,"
    " bans INTEGER NOT NULL, banned_until INTEGER NOT NULL)",
    "CREATE INDEX address_defense_by_ban ON address_defense (banned_until)",
    "CREATE TABLE ip_rules ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, network TEXT NOT NULL UNIQUE,"
    " allow INTEGER NOT NULL CHECK (allow IN (0, 1)), comment TEXT NOT NULL,"
    " created_at INTEGER NOT NULL, mac TEXT NOT NULL DEFAULT '')",
};

// The tamper-evident record (docs/audit.md): each activity row carries the hash
// of its predecessor and its own hash over a canonical encoding (computed in
// audit/); rows written before this migration keep empty hashes and are reported
// as unchained by `coffer audit verify`. Checkpoints sign the chain head with a
// key outside the database and are append-only like the records.
constexpr Sql kMigration4[] = {
    "ALTER TABLE activity ADD COLUMN prev_hash BLOB NOT NULL DEFAULT x''",
    "ALTER TABLE activity ADD COLUMN hash BLOB NOT NULL DEFAULT x''",
    "CREATE TABLE audit_checkpoints ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, record_id INTEGER NOT NULL,"
    " head_hash BLOB NOT NULL, at_us INTEGER NOT NULL, signature BLOB NOT NULL)",
    "CREATE INDEX audit_checkpoints_by_record ON audit_checkpoints (record_id, id)",
    "CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints"
    " BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END",
    "CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints"
    " BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END",
};

// Web sessions and API tokens (credentials: MAC'd). Only hashes of their
// secrets are stored.
constexpr Sql kMigration5[] = {
    "CREATE TABLE sessions ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, id_hash BLOB NOT NULL UNIQUE,"
    " user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
    " created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL,"
    " mfa_at INTEGER NOT NULL, mfa_pending INTEGER NOT NULL CHECK (mfa_pending IN (0, 1)),"
    " address TEXT NOT NULL, user_agent TEXT NOT NULL, mac TEXT NOT NULL DEFAULT '')",
    "CREATE INDEX sessions_by_user ON sessions (user_id, id)",
    "CREATE INDEX sessions_by_expiry ON sessions (expires_at)",
    "CREATE TABLE api_tokens ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, public_id TEXT NOT NULL UNIQUE,"
    " secret_hash BLOB NOT NULL,"
    " user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE, name TEXT NOT NULL,"
    " scopes INTEGER NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
    " last_used_at INTEGER NOT NULL DEFAULT 0, mac TEXT NOT NULL DEFAULT '')",
    "CREATE INDEX api_tokens_by_user ON api_tokens (user_id, id)",
};

// Audit retention, search and forwarding (docs/audit.md). Pruning deletes records
// only up to a signed checkpoint, which is copied into audit_anchors (append-only)
// and becomes where `coffer audit verify` starts; the delete triggers now allow
// exactly the rows at or before the newest anchor and nothing else. The search
// indexes put every filter that can drive a query first and order by
// (at_us, id), the search's keyset.
constexpr Sql kMigration8[] = {
    "CREATE TABLE audit_anchors ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, checkpoint_id INTEGER NOT NULL,"
    " record_id INTEGER NOT NULL, head_hash BLOB NOT NULL, at_us INTEGER NOT NULL,"
    " signature BLOB NOT NULL, pruned_at_us INTEGER NOT NULL)",
    "CREATE TRIGGER audit_anchors_no_update BEFORE UPDATE ON audit_anchors"
    " BEGIN SELECT RAISE(ABORT, 'audit anchors are append-only'); END",
    "CREATE TRIGGER audit_anchors_no_delete BEFORE DELETE ON audit_anchors"
    " BEGIN SELECT RAISE(ABORT, 'audit anchors are append-only'); END",
    "DROP TRIGGER activity_no_delete",
    "CREATE TRIGGER activity_no_delete BEFORE DELETE ON activity"
    " WHEN OLD.id > (SELECT COALESCE(MAX(record_id), 0) FROM audit_anchors)"
    " BEGIN SELECT RAISE(ABORT, 'activity is append-only'); END",
    "DROP TRIGGER audit_checkpoints_no_delete",
    "CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints"
    " WHEN OLD.record_id >= (SELECT COALESCE(MAX(record_id), 0) FROM audit_anchors)"
    " BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END",
    "CREATE INDEX activity_search_time ON activity (at_us, id)",
    "CREATE INDEX activity_search_actor ON activity (actor_id, at_us, id)",
    "CREATE INDEX activity_search_action ON activity (action, at_us, id)",
    "CREATE INDEX activity_search_address ON activity (address, at_us, id)",
    "CREATE INDEX activity_search_result ON activity (result, at_us, id)",
};

// TOTP second factor. The seed is sealed with a key outside the database
// (crypto/field_sealer.h) and the row is MAC'd; users.mfa_enabled (in the
// users MAC) says whether the user has a confirmed second factor, so deleting
// the mfa_secrets row fails closed instead of turning MFA off. Recovery codes
// are keyed hashes, MAC'd, deleted when used.
constexpr Sql kMigration6[] = {
    "ALTER TABLE users ADD COLUMN mfa_enabled INTEGER NOT NULL DEFAULT 0",
    "CREATE TABLE mfa_secrets ("
    " user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,"
    " sealed_secret BLOB NOT NULL, enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),"
    " last_step INTEGER NOT NULL, created_at INTEGER NOT NULL, enabled_at INTEGER NOT NULL,"
    " mac TEXT NOT NULL)",
    "CREATE TABLE mfa_recovery_codes ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
    " code_hash TEXT NOT NULL, created_at INTEGER NOT NULL, mac TEXT NOT NULL,"
    " UNIQUE (user_id, code_hash))",
};

// Resumable uploads (tus): ids and offsets only; the content is a partial blob.
// MAC'd, so a row written outside Coffer cannot point an upload elsewhere.
constexpr Sql kMigration7[] = {
    "CREATE TABLE uploads ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, public_id TEXT NOT NULL UNIQUE,"
    " user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
    " path TEXT NOT NULL, length INTEGER NOT NULL CHECK (length >= 0),"
    " received INTEGER NOT NULL CHECK (received >= 0 AND received <= length),"
    " blob_id TEXT NOT NULL UNIQUE, chunk_size INTEGER NOT NULL, key_id INTEGER NOT NULL,"
    " wrapped_key BLOB NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
    " mac TEXT NOT NULL DEFAULT '')",
    "CREATE INDEX uploads_user ON uploads (user_id, expires_at)",
    "CREATE INDEX uploads_expiry ON uploads (expires_at)",
};

// Folder listings sorted by modification time or size, folders first, walked
// through an index in either direction (repo_entries.cpp kListChildren).
constexpr Sql kMigration11[] = {
    "CREATE INDEX entries_by_modified ON entries (parent_id, kind, modified_at, id)"
    " WHERE deleted_at IS NULL",
    "CREATE INDEX entries_by_size ON entries (parent_id, kind, size, id)"
    " WHERE deleted_at IS NULL",
};

// Migrations by number. Numbers are reserved per change and may land out of
// order, so a database gets every listed migration it has not applied yet, in
// number order (never one twice: schema_migrations records each).
struct Migration {
  int64_t version;
  std::span<const Sql> statements;
};
constexpr Migration kMigrations[] = {{1, kMigration1}, {2, kMigration2}, {3, kMigration3},
                                     {4, kMigration4}, {5, kMigration5}, {6, kMigration6},
                                     {7, kMigration7}, {8, kMigration8}, {11, kMigration11}};

Status CreateMigrationsTable(Db& db) {
  COFFER_ASSIGN_OR_RETURN(auto create, db.Prepare("CREATE TABLE IF NOT EXISTS schema_migrations"
                                                  " (version INTEGER PRIMARY KEY)"));
  return create->Run();
}

Result<int64_t> CurrentVersion(Db& db) {
  COFFER_ASSIGN_OR_RETURN(auto q, db.Prepare("SELECT COALESCE(MAX(version), 0)"
                                             " FROM schema_migrations"));
  COFFER_ASSIGN_OR_RETURN(bool row, q->Step());
  return row ? q->Int(0) : 0;
}

Result<bool> Applied(Db& db, int64_t version) {
  COFFER_ASSIGN_OR_RETURN(auto q,
                          db.Prepare("SELECT COUNT(*) FROM schema_migrations WHERE version = ?"));
  q->Bind(version);
  COFFER_ASSIGN_OR_RETURN(bool row, q->Step());
  return row && q->Int(0) > 0;
}

Status Apply(Db& db, const Migration& m) {
  for (Sql statement : m.statements) {
    COFFER_ASSIGN_OR_RETURN(auto s, db.Prepare(statement));
    COFFER_RETURN_IF_ERROR(s->Run());
  }
  COFFER_ASSIGN_OR_RETURN(auto mark,
                          db.Prepare("INSERT INTO schema_migrations (version) VALUES (?)"));
  return mark->Bind(m.version).Run();
}

}  // namespace

int64_t LatestSchemaVersion() { return std::end(kMigrations)[-1].version; }

Status Migrate(Db& db) {
  auto lock = db.Lock();
  COFFER_RETURN_IF_ERROR(CreateMigrationsTable(db));
  COFFER_ASSIGN_OR_RETURN(int64_t current, CurrentVersion(db));
  if (current > LatestSchemaVersion()) {
    return FailedPrecondition("the database was written by a newer Coffer (schema " +
                              std::to_string(current) + ")");
  }
  for (const Migration& m : kMigrations) {
    // Checked again inside the write transaction: another process that migrated
    // meanwhile makes this a no-op instead of a failed CREATE.
    COFFER_RETURN_IF_ERROR(db.Transact([&]() -> Status {
      COFFER_ASSIGN_OR_RETURN(bool done, Applied(db, m.version));
      return done ? Status::Ok() : Apply(db, m);
    }));
  }
  return Status::Ok();
}

}  // namespace coffer::store
