#include "store/sqldb.h"

#include <spdlog/spdlog.h>

#include <cctype>

namespace coffer::store {

bool OnlyWhitespaceOrComments(std::string_view tail) {
  size_t i = 0;
  while (i < tail.size()) {
    if (std::isspace(static_cast<unsigned char>(tail[i]))) {
      ++i;
    } else if (tail.substr(i, 2) == "--") {
      size_t end = tail.find('\n', i);
      i = end == std::string_view::npos ? tail.size() : end + 1;
    } else if (tail.substr(i, 2) == "/*") {
      // SQLite lets an unterminated block comment run to the end of the text.
      size_t end = tail.find("*/", i + 2);
      i = end == std::string_view::npos ? tail.size() : end + 2;
    } else {
      return false;
    }
  }
  return true;
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, int busy_timeout_ms) {
  sqlite3* raw = nullptr;
  // NOMUTEX: SQLite's own locking is redundant under mu_.
  int rc = sqlite3_open_v2(
      path.c_str(), &raw,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
      nullptr);
  std::unique_ptr<Db> db(new Db(raw));
  if (rc != SQLITE_OK) return db->Error(rc, "open the database");
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  // Defensive mode stops SQL from corrupting the file through PRAGMAs and the
  // like; an untrusted schema cannot make us run its functions.
  sqlite3_db_config(raw, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(raw, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  auto lock = db->Lock();
  COFFER_RETURN_IF_ERROR(db->SetJournalModeWal(path));
  // FULL: a commit is on disk before it is acknowledged, so a crash loses none.
  for (Sql pragma : {Sql("PRAGMA synchronous = FULL"), Sql("PRAGMA foreign_keys = ON"),
                     Sql("PRAGMA secure_delete = ON")}) {
    COFFER_RETURN_IF_ERROR(db->Exec(pragma));
  }
  return db;
}

Status Db::SetJournalModeWal(const std::string& path) {
  COFFER_ASSIGN_OR_RETURN(auto s, Prepare("PRAGMA journal_mode = WAL"));
  COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
  // SQLite answers with the mode it kept; it keeps the old one when it cannot
  // switch (e.g. a file system without shared memory).
  if (!row || s->Text(0) != "wal") {
    spdlog::error("database: {} cannot use write-ahead logging", path);
    return IoError("the database cannot use write-ahead logging");
  }
  return Status::Ok();
}

Db::~Db() {
  for (auto& [text, cached] : cache_) sqlite3_finalize(cached.stmt);
  sqlite3_close_v2(db_);
}

Status Db::Error(int rc, std::string_view what) const {
  spdlog::error("database: cannot {}: {} ({})", what, db_ ? sqlite3_errmsg(db_) : "no handle", rc);
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return AlreadyExists("the name or id is taken");
      }
      return FailedPrecondition("the change conflicts with stored data");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Conflict("the database is busy; try again");
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      return IoError("database storage failed");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return IntegrityError("the database file is damaged");
    default:
      return InternalError("database error");
  }
}

Result<sqlite3_stmt*> Db::Compile(Sql sql, unsigned flags) {
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.text(), -1, flags, &stmt, &tail);
  if (rc != SQLITE_OK) return Error(rc, "prepare a statement");
  if (!stmt || !OnlyWhitespaceOrComments(tail ? tail : "")) {
    sqlite3_finalize(stmt);
    spdlog::error("database: refused a statement text that is not exactly one statement");
    return InternalError("statement refused: not exactly one statement");
  }
  return stmt;
}

Result<std::unique_ptr<Stmt>> Db::Prepare(Sql sql) {
  auto it = cache_.find(sql.text());
  if (it == cache_.end()) {
    COFFER_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Compile(sql, SQLITE_PREPARE_PERSISTENT));
    it = cache_.emplace(sql.text(), Cached{stmt, false}).first;
  }
  if (it->second.in_use) {
    // The same statement is still being stepped further up the stack.
    COFFER_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Compile(sql, 0));
    return std::unique_ptr<Stmt>(new Stmt(*this, stmt, nullptr));
  }
  it->second.in_use = true;
  return std::unique_ptr<Stmt>(new Stmt(*this, it->second.stmt, &it->second.in_use));
}

Status Db::Exec(Sql sql) {
  COFFER_ASSIGN_OR_RETURN(auto stmt, Prepare(sql));
  return stmt->Run();
}

Status Db::Transact(const std::function<Status()>& fn) {
  auto lock = Lock();
  const bool outer = depth_ == 0;
  COFFER_RETURN_IF_ERROR(outer ? Exec("BEGIN IMMEDIATE") : Exec("SAVEPOINT nested"));
  ++depth_;
  Status st = fn();
  --depth_;
  if (st.ok()) {
    Status done = outer ? Exec("COMMIT") : Exec("RELEASE nested");
    if (done.ok()) return st;
    st = done;
  }
  // Best effort: SQLite may already have rolled back (e.g. after SQLITE_FULL).
  if (outer) {
    (void)Exec("ROLLBACK");
  } else {
    (void)Exec("ROLLBACK TO nested");
    (void)Exec("RELEASE nested");
  }
  return st;
}

Stmt::~Stmt() {
  if (in_use_ == nullptr) {
    sqlite3_finalize(stmt_);
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  *in_use_ = false;
}

Stmt& Stmt::Bound(int rc) {
  if (rc != SQLITE_OK && bind_error_.ok()) bind_error_ = db_.Error(rc, "bind a parameter");
  ++next_;
  return *this;
}

Stmt& Stmt::Bind(int64_t v) { return Bound(sqlite3_bind_int64(stmt_, next_, v)); }
Stmt& Stmt::Bind(std::string_view v) {
  return Bound(
      sqlite3_bind_text64(stmt_, next_, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}
Stmt& Stmt::Bind(const Bytes& v) {
  // An empty vector's data() may be null, which SQLite would bind as NULL.
  if (v.empty()) return Bound(sqlite3_bind_zeroblob(stmt_, next_, 0));
  return Bound(sqlite3_bind_blob64(stmt_, next_, v.data(), v.size(), SQLITE_TRANSIENT));
}
Stmt& Stmt::Bind(std::optional<int64_t> v) {
  return v ? Bind(*v) : Bound(sqlite3_bind_null(stmt_, next_));
}

Result<bool> Stmt::Step() {
  COFFER_RETURN_IF_ERROR(bind_error_);
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_.Error(rc, "run a statement");
}

Status Stmt::Run() {
  for (;;) {
    COFFER_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

int64_t Stmt::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
std::optional<int64_t> Stmt::OptInt(int col) const {
  if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::nullopt;
  return Int(col);
}
std::string Stmt::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
}
Bytes Stmt::Blob(int col) const {
  const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, col));
  return p ? Bytes(p, p + sqlite3_column_bytes(stmt_, col)) : Bytes();
}

}  // namespace coffer::store
