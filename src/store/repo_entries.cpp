// SqliteRepo: the folder tree and file versions.
#include <algorithm>
#include <iterator>

#include "store/sqlite_repo.h"

namespace coffer::store {

namespace {

// Entry columns, in this order, in every SELECT below. The root's NULL parent
// reads as 0.
#define COFFER_ENTRY_COLUMNS                                                             \
  "id, COALESCE(parent_id, 0), kind, name, name_key, owner_id, created_at, modified_at," \
  " current_version_id, size, sha256, used_bytes, quota_bytes, deleted_at, deleted_by"

Entry ReadEntry(const Stmt& s) {
  Entry e;
  e.id = s.Int(0);
  e.parent_id = s.Int(1);
  e.kind = s.Int(2) == 1 ? EntryKind::kFile : EntryKind::kFolder;
  e.name = s.Text(3);
  e.name_key = s.Text(4);
  e.owner_id = s.Int(5);
  e.created_at = s.Int(6);
  e.modified_at = s.Int(7);
  e.current_version_id = s.Int(8);
  e.size = s.Int(9);
  e.sha256_hex = s.Text(10);
  e.used_bytes = s.Int(11);
  e.quota_bytes = s.Int(12);
  e.deleted_at = s.OptInt(13);
  e.deleted_by = s.Int(14);
  return e;
}

#define COFFER_VERSION_COLUMNS                                                         \
  "id, entry_id, blob_id, size, sha256, chunk_size, key_id, wrapped_key, uploaded_by," \
  " created_at"

FileVersion ReadVersion(const Stmt& s) {
  return {s.Int(0), s.Int(1), s.Text(2), s.Int(3), s.Text(4),
          s.Int(5), s.Int(6), s.Blob(7), s.Int(8), s.Int(9)};
}

// Listing pages by [order][descending][after a cursor]: constant statements,
// each an index walk (entries_listing, entries_by_modified, entries_by_size).
#define COFFER_LIST_FROM " FROM entries WHERE parent_id = ? AND deleted_at IS NULL AND kind = ?"
constexpr Sql kListChildren[] = {
    "SELECT " COFFER_ENTRY_COLUMNS COFFER_LIST_FROM " ORDER BY name_key, id LIMIT ?",
    "SELECT " COFFER_ENTRY_COLUMNS COFFER_LIST_FROM
    " AND (name_key, id) > (?, ?) ORDER BY name_key, id LIMIT ?",
    "SELECT " COFFER_ENTRY_COLUMNS COFFER_LIST_FROM " ORDER BY name_key DESC, id DESC LIMIT ?",
    "SELECT " COFFER_ENTRY_COLUMNS COFFER_LIST_FROM
    " AND (name_key, id) < (?, ?) ORDER BY name_key DESC, id DESC LIMIT ?",
    "SELECT " COFFER_ENTRY_COLUMNS COFFER_LIST_FROM " ORDER BY modified_at, id LIMIT ?",
    "SELECT " COFFER_ENTRY_COLUMNS COFFER_LIST_FROM
    " AND (modified_at, id) > (?, ?) ORDER BY modified_at, id LIMIT ?",
    "SELECT " COFFER_ENTRY_COLUMNS COFFER_LIST_FROM " ORDER BY modified_at DESC, id DESC LIMIT ?",
    "SELECT " COFFER_ENTRY_COLUMNS COFFER_LIST_FROM
    " AND (modified_at, id) < (?, ?) ORDER BY modified_at DESC, id DESC LIMIT ?",
    "SELECT " COFFER_ENTRY_COLUMNS COFFER_LIST_FROM " ORDER BY size, id LIMIT ?",
    "SELECT " COFFER_ENTRY_COLUMNS COFFER_LIST_FROM
    " AND (size, id) > (?, ?) ORDER BY size, id LIMIT ?",
    "SELECT " COFFER_ENTRY_COLUMNS COFFER_LIST_FROM " ORDER BY size DESC, id DESC LIMIT ?",
    "SELECT " COFFER_ENTRY_COLUMNS COFFER_LIST_FROM
    " AND (size, id) < (?, ?) ORDER BY size DESC, id DESC LIMIT ?",
};

}  // namespace

Result<std::vector<Entry>> SqliteRepo::Entries(Stmt& s) {
  std::vector<Entry> out;
  for (;;) {
    COFFER_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    out.push_back(ReadEntry(s));
  }
}

Result<std::vector<FileVersion>> SqliteRepo::Versions(Stmt& s) {
  std::vector<FileVersion> out;
  for (;;) {
    COFFER_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    out.push_back(ReadVersion(s));
  }
}

Result<Entry> SqliteRepo::GetEntry(Id id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("SELECT " COFFER_ENTRY_COLUMNS " FROM entries WHERE id = ?"));
  s->Bind(id);
  COFFER_ASSIGN_OR_RETURN(auto rows, Entries(*s));
  if (rows.empty()) return NotFound("no such entry");
  return std::move(rows.front());
}

Result<Entry> SqliteRepo::FindChild(Id parent_id, std::string_view name_key) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT " COFFER_ENTRY_COLUMNS " FROM entries"
                                               " WHERE parent_id = ? AND name_key = ?"
                                               " AND deleted_at IS NULL"));
  s->BindAll(parent_id, name_key);
  COFFER_ASSIGN_OR_RETURN(auto rows, Entries(*s));
  if (rows.empty()) return NotFound("no such entry");
  return std::move(rows.front());
}

Result<std::vector<Entry>> SqliteRepo::ListChildren(Id parent_id, const ListCursor& cursor,
                                                    size_t limit) {
  auto lock = db_->Lock();
  const auto want = static_cast<size_t>(ClampLimit(limit));
  std::vector<Entry> out;
  // One kind at a time (folders, then files), so that each order is a walk of
  // an index on (parent_id, kind, key, id) in either direction.
  for (int kind = std::max(cursor.kind, 0); kind <= 1 && out.size() < want; ++kind) {
    bool after = kind == cursor.kind;
    size_t at = (static_cast<size_t>(cursor.order) * 2 + cursor.descending) * 2 + after;
    if (at >= std::size(kListChildren)) return InvalidArgument("unknown listing order");
    Sql statement = kListChildren[at];
    COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare(statement));
    s->BindAll(parent_id, int64_t{kind});
    if (after && cursor.order == ListOrder::kName) s->BindAll(cursor.name_key, cursor.id);
    if (after && cursor.order != ListOrder::kName) s->BindAll(cursor.value, cursor.id);
    s->Bind(static_cast<int64_t>(want - out.size()));
    COFFER_ASSIGN_OR_RETURN(auto rows, Entries(*s));
    std::move(rows.begin(), rows.end(), std::back_inserter(out));
  }
  return out;
}

Result<std::vector<Entry>> SqliteRepo::ListDeletedChildren(Id parent_id, size_t limit) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT " COFFER_ENTRY_COLUMNS " FROM entries"
                                               " WHERE parent_id = ? AND deleted_at IS NOT NULL"
                                               " ORDER BY deleted_at DESC, id DESC LIMIT ?"));
  s->BindAll(parent_id, ClampLimit(limit));
  return Entries(*s);
}

Result<std::vector<Entry>> SqliteRepo::ListAllChildren(Id parent_id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT " COFFER_ENTRY_COLUMNS " FROM entries"
                                               " WHERE parent_id = ? ORDER BY id"));
  s->Bind(parent_id);
  return Entries(*s);
}

Result<std::vector<Entry>> SqliteRepo::ListExpiredDeleted(int64_t deleted_before, size_t limit) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT " COFFER_ENTRY_COLUMNS " FROM entries"
                                               " WHERE deleted_at IS NOT NULL AND deleted_at <= ?"
                                               " ORDER BY deleted_at, id LIMIT ?"));
  s->BindAll(deleted_before, ClampLimit(limit));
  return Entries(*s);
}

Result<Id> SqliteRepo::InsertEntry(const Entry& e) {
  // Only the root (made by the first migration) has no parent.
  if (e.parent_id <= 0) return InvalidArgument("an entry needs a parent folder");
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s,
      db_->Prepare("INSERT INTO entries (parent_id, kind, name, name_key, owner_id,"
                   " created_at, modified_at, quota_bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  COFFER_RETURN_IF_ERROR(s->BindAll(e.parent_id, int64_t{static_cast<int>(e.kind)}, e.name,
                                    e.name_key, e.owner_id, e.created_at, e.modified_at,
                                    e.quota_bytes)
                             .Run());
  return db_->LastInsertId();
}

Status SqliteRepo::MoveEntry(Id id, Id new_parent_id, std::string_view name,
                             std::string_view name_key, int64_t modified_at) {
  if (id == kRootFolderId) return InvalidArgument("the root cannot be moved");
  if (new_parent_id <= 0) return InvalidArgument("an entry needs a parent folder");
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("UPDATE entries SET parent_id = ?, name = ?,"
                                               " name_key = ?, modified_at = ? WHERE id = ?"));
  COFFER_RETURN_IF_ERROR(s->BindAll(new_parent_id, name, name_key, modified_at, id).Run());
  return ExpectChange("no such entry");
}

Status SqliteRepo::SetModifiedAt(Id id, int64_t modified_at) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("UPDATE entries SET modified_at = ? WHERE id = ?"));
  COFFER_RETURN_IF_ERROR(s->BindAll(modified_at, id).Run());
  return ExpectChange("no such entry");
}

Status SqliteRepo::SetCurrentVersion(Id entry_id, const FileVersion& v) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("UPDATE entries SET current_version_id = ?,"
                                               " size = ?, sha256 = ?, modified_at = ?"
                                               " WHERE id = ?"));
  COFFER_RETURN_IF_ERROR(s->BindAll(v.id, v.size, v.sha256_hex, v.created_at, entry_id).Run());
  return ExpectChange("no such entry");
}

Status SqliteRepo::SetDeleted(Id id, std::optional<int64_t> deleted_at, Id deleted_by) {
  if (id == kRootFolderId) return InvalidArgument("the root cannot be deleted");
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("UPDATE entries SET deleted_at = ?, deleted_by = ? WHERE id = ?"));
  COFFER_RETURN_IF_ERROR(s->BindAll(deleted_at, deleted_by, id).Run());
  return ExpectChange("no such entry");
}

Status SqliteRepo::AddFolderUsedBytes(Id folder_id, int64_t delta) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("UPDATE entries SET used_bytes = used_bytes + ? WHERE id = ?"));
  COFFER_RETURN_IF_ERROR(s->BindAll(delta, folder_id).Run());
  return ExpectChange("no such folder");
}

Status SqliteRepo::SetFolderQuota(Id folder_id, int64_t quota_bytes) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("UPDATE entries SET quota_bytes = ? WHERE id = ? AND kind = 0"));
  COFFER_RETURN_IF_ERROR(s->BindAll(quota_bytes, folder_id).Run());
  return ExpectChange("no such folder");
}

Status SqliteRepo::DeleteEntryRow(Id id) {
  if (id == kRootFolderId) return InvalidArgument("the root cannot be deleted");
  return db_->Transact([&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(auto a, db_->Prepare("DELETE FROM acl WHERE folder_id = ?"));
    COFFER_RETURN_IF_ERROR(a->Bind(id).Run());
    COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("DELETE FROM entries WHERE id = ?"));
    COFFER_RETURN_IF_ERROR(s->Bind(id).Run());
    return ExpectChange("no such entry");
  });
}

Result<Id> SqliteRepo::InsertVersion(const FileVersion& v) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s,
                          db_->Prepare("INSERT INTO file_versions (entry_id, blob_id, size, sha256,"
                                       " chunk_size, key_id, wrapped_key, uploaded_by, created_at)"
                                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  COFFER_RETURN_IF_ERROR(s->BindAll(v.entry_id, v.blob_id_hex, v.size, v.sha256_hex, v.chunk_size,
                                    v.key_id, v.wrapped_key, v.uploaded_by, v.created_at)
                             .Run());
  return db_->LastInsertId();
}

Result<FileVersion> SqliteRepo::GetVersion(Id id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("SELECT " COFFER_VERSION_COLUMNS " FROM file_versions WHERE id = ?"));
  s->Bind(id);
  COFFER_ASSIGN_OR_RETURN(auto rows, Versions(*s));
  if (rows.empty()) return NotFound("no such version");
  return std::move(rows.front());
}

Result<std::vector<FileVersion>> SqliteRepo::ListVersions(Id entry_id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("SELECT " COFFER_VERSION_COLUMNS " FROM file_versions WHERE entry_id = ?"
                           " ORDER BY id DESC LIMIT 1000"));
  s->Bind(entry_id);
  return Versions(*s);
}

Status SqliteRepo::DeleteVersion(Id id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("DELETE FROM file_versions WHERE id = ?"));
  COFFER_RETURN_IF_ERROR(s->Bind(id).Run());
  return ExpectChange("no such version");
}

Result<bool> SqliteRepo::BlobReferenced(std::string_view blob_id_hex) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("SELECT EXISTS (SELECT 1 FROM file_versions WHERE blob_id = ?)"));
  s->Bind(blob_id_hex);
  COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
  return row && s->Int(0) != 0;
}

Result<std::vector<FileVersion>> SqliteRepo::ListVersionsNotUsingKey(int64_t key_id, Id after_id,
                                                                     size_t limit) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT " COFFER_VERSION_COLUMNS
                                               " FROM file_versions WHERE key_id <> ? AND id > ?"
                                               " ORDER BY id LIMIT ?"));
  s->BindAll(key_id, after_id, ClampLimit(limit));
  return Versions(*s);
}

Status SqliteRepo::UpdateVersionKey(Id version_id, int64_t key_id, const Bytes& wrapped_key) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("UPDATE file_versions SET key_id = ?, wrapped_key = ? WHERE id = ?"));
  COFFER_RETURN_IF_ERROR(s->BindAll(key_id, wrapped_key, version_id).Run());
  return ExpectChange("no such version");
}

ListCursor CursorAfter(const ListCursor& base, const Entry& e) {
  ListCursor c = base;
  c.kind = static_cast<int>(e.kind);
  c.name_key = e.name_key;
  c.id = e.id;
  c.value = base.order == ListOrder::kSize ? e.size : e.modified_at;
  return c;
}

}  // namespace coffer::store
