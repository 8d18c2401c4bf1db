// Numbered, forward-only migrations. Each migration is a list of single
// statements (never a script: the prepare layer refuses stacked statements) and
// runs in one transaction with its row in schema_migrations.
#include "store/schema.h"

#include <span>

namespace coffer::store {

namespace {

constexpr Sql kMigration1[] = {
    "CREATE TABLE users ("
    " id INTEGER PRIMARY KEY, name TEXT NOT NULL, name_key TEXT NOT NULL UNIQUE,"
    " display_name TEXT NOT NULL, role INTEGER NOT NULL, disabled INTEGER NOT NULL,"
    " password_hash TEXT NOT NULL, must_change_password INTEGER NOT NULL,"
    " quota_bytes INTEGER NOT NULL, used_bytes INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL, mac TEXT NOT NULL DEFAULT '')",
    "CREATE TABLE user_groups ("
    " id INTEGER PRIMARY KEY, name TEXT NOT NULL, name_key TEXT NOT NULL UNIQUE,"
    " created_at INTEGER NOT NULL, mac TEXT NOT NULL DEFAULT '')",
    "CREATE TABLE memberships ("
    " group_id INTEGER NOT NULL, user_id INTEGER NOT NULL, mac TEXT NOT NULL,"
    " PRIMARY KEY (group_id, user_id))",
    "CREATE INDEX memberships_by_user ON memberships (user_id)",
    "CREATE TABLE entries ("
    " id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL, kind INTEGER NOT NULL,"
    " name TEXT NOT NULL, name_key TEXT NOT NULL, owner_id INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL, modified_at INTEGER NOT NULL,"
    " current_version_id INTEGER NOT NULL DEFAULT 0, size INTEGER NOT NULL DEFAULT 0,"
    " sha256 TEXT NOT NULL DEFAULT '', used_bytes INTEGER NOT NULL DEFAULT 0,"
    " quota_bytes INTEGER NOT NULL DEFAULT 0, deleted_at INTEGER,"
    " deleted_by INTEGER NOT NULL DEFAULT 0)",
    "CREATE UNIQUE INDEX entries_live_name ON entries (parent_id, name_key)"
    " WHERE deleted_at IS NULL",
    "CREATE INDEX entries_listing ON entries (parent_id, kind, name_key, id)"
    " WHERE deleted_at IS NULL",
    "CREATE INDEX entries_by_parent ON entries (parent_id, id)",
    "CREATE INDEX entries_deleted ON entries (deleted_at, id) WHERE deleted_at IS NOT NULL",
    "INSERT INTO entries (id, parent_id, kind, name, name_key, owner_id, created_at,"
    " modified_at) VALUES (1, 0, 0, '', '', 0, 0, 0)",
    "CREATE TABLE file_versions ("
    " id INTEGER PRIMARY KEY, entry_id INTEGER NOT NULL, blob_id TEXT NOT NULL,"
    " size INTEGER NOT NULL, sha256 TEXT NOT NULL, chunk_size INTEGER NOT NULL,"
    " key_id INTEGER NOT NULL, wrapped_key BLOB NOT NULL, uploaded_by INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL)",
    "CREATE INDEX file_versions_by_entry ON file_versions (entry_id, id)",
    "CREATE INDEX file_versions_by_blob ON file_versions (blob_id)",
    "CREATE INDEX file_versions_by_key ON file_versions (key_id, id)",
    "CREATE TABLE acl ("
    " id INTEGER PRIMARY KEY, folder_id INTEGER NOT NULL, subject_kind INTEGER NOT NULL,"
    " subject_id INTEGER NOT NULL, perms INTEGER NOT NULL, mac TEXT NOT NULL DEFAULT '',"
    " UNIQUE (folder_id, subject_kind, subject_id))",
    "CREATE INDEX acl_by_subject ON acl (subject_kind, subject_id)",
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, mac TEXT NOT NULL)",
    "CREATE TABLE activity ("
    " id INTEGER PRIMARY KEY, at_us INTEGER NOT NULL, actor_id INTEGER NOT NULL,"
    " actor_name TEXT NOT NULL, protocol TEXT NOT NULL, address TEXT NOT NULL,"
    " session TEXT NOT NULL, action TEXT NOT NULL, path TEXT NOT NULL,"
    " object_id INTEGER NOT NULL, result TEXT NOT NULL, detail TEXT NOT NULL,"
    " bytes INTEGER NOT NULL, sha256 TEXT NOT NULL)",
    "CREATE INDEX activity_by_actor ON activity (actor_id, id)",
    "CREATE TRIGGER activity_no_update BEFORE UPDATE ON activity"
    " BEGIN SELECT RAISE(ABORT, 'activity is append-only'); END",
    "CREATE TRIGGER activity_no_delete BEFORE DELETE ON activity"
    " BEGIN SELECT RAISE(ABORT, 'activity is append-only'); END",
};

const std::span<const Sql> kMigrations[] = {kMigration1};

Result<int64_t> CurrentVersion(Db& db) {
  COFFER_ASSIGN_OR_RETURN(auto create, db.Prepare("CREATE TABLE IF NOT EXISTS schema_migrations"
                                                  " (version INTEGER PRIMARY KEY)"));
  COFFER_RETURN_IF_ERROR(create->Run());
  COFFER_ASSIGN_OR_RETURN(auto q, db.Prepare("SELECT COALESCE(MAX(version), 0)"
                                             " FROM schema_migrations"));
  COFFER_ASSIGN_OR_RETURN(bool row, q->Step());
  return row ? q->Int(0) : 0;
}

}  // namespace

int64_t LatestSchemaVersion() { return static_cast<int64_t>(std::size(kMigrations)); }

Status Migrate(Db& db) {
  auto lock = db.Lock();
  COFFER_ASSIGN_OR_RETURN(int64_t current, CurrentVersion(db));
  if (current > LatestSchemaVersion()) {
    return FailedPrecondition("the database was written by a newer Coffer (schema " +
                              std::to_string(current) + ")");
  }
  for (int64_t v = current + 1; v <= LatestSchemaVersion(); ++v) {
    COFFER_RETURN_IF_ERROR(db.Transact([&]() -> Status {
      for (Sql statement : kMigrations[v - 1]) {
        COFFER_ASSIGN_OR_RETURN(auto s, db.Prepare(statement));
        COFFER_RETURN_IF_ERROR(s->Run());
      }
      COFFER_ASSIGN_OR_RETURN(auto mark,
                              db.Prepare("INSERT INTO schema_migrations (version) VALUES (?)"));
      return mark->Bind(v).Run();
    }));
  }
  return Status::Ok();
}

}  // namespace coffer::store
