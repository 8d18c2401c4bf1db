// A small SQLite layer that makes injection impossible by construction.
//
// `Sql` can only be built from a string literal (consteval; its text cannot be
// changed afterwards), so a statement's text is always constant; values reach
// SQLite only through bound parameters. A statement text holding anything but
// white space and comments after its first statement is refused at prepare time
// with kInternal (no stacked statements, THREAT-MODEL invariant 1). SQLite's own
// error text is logged, never put into a Status message a client could see.
//
// Db owns one connection behind a recursive mutex: every call locks it, and
// Transact() holds it for the whole transaction (BEGIN IMMEDIATE; nested calls
// use savepoints), so a transaction sees and makes a consistent state.
// Prepared statements are cached per literal; a statement still being stepped is
// never handed out twice (a nested use gets its own, uncached statement).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "util/bytes.h"
#include "util/status.h"

namespace coffer::store {

// The text of one SQL statement, from a literal only.
class Sql {
 public:
  template <size_t N>
  consteval Sql(const char (&literal)[N]) : text_(literal) {}  // NOLINT: literals only
  const char* text() const { return text_; }

 private:
  const char* text_;
};

// True if `tail` (what SQLite left after the first statement) holds only white
// space and SQL comments. Exposed for tests.
bool OnlyWhitespaceOrComments(std::string_view tail);

class Db;

// One execution of a prepared statement: bind by position, step, read columns.
// Resets a cached statement (or finalizes an uncached one) when it goes out of
// scope. Use and destroy it with the Db mutex held.
class Stmt {
 public:
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  Stmt& Bind(int64_t v);
  Stmt& Bind(std::string_view v);
  Stmt& Bind(const Bytes& v);
  Stmt& Bind(std::optional<int64_t> v);
  template <typename... Ts>
  Stmt& BindAll(const Ts&... vs) {
    (Bind(vs), ...);
    return *this;
  }

  // true: a row is ready; false: done. Reports the first failed Bind, if any.
  Result<bool> Step();
  // Runs to completion (for statements that return no rows).
  Status Run();

  int64_t Int(int col) const;
  std::optional<int64_t> OptInt(int col) const;
  std::string Text(int col) const;
  Bytes Blob(int col) const;

 private:
  friend class Db;
  Stmt(Db& db, sqlite3_stmt* stmt, bool* in_use) : db_(db), stmt_(stmt), in_use_(in_use) {}
  Stmt& Bound(int rc);
  Db& db_;
  sqlite3_stmt* stmt_;
  bool* in_use_;  // the cache slot's flag; nullptr: uncached, finalized on destruction
  int next_ = 1;
  Status bind_error_;
};

class Db {
 public:
  // Opens or creates the file in WAL mode with synchronous=FULL and foreign keys.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, int busy_timeout_ms);
  ~Db();

  // Prepares (or reuses) a statement. kInternal if the text fails to compile or
  // carries more than one statement. Call with the mutex held (Lock()).
  Result<std::unique_ptr<Stmt>> Prepare(Sql sql);
  std::unique_lock<std::recursive_mutex> Lock() { return std::unique_lock(mu_); }
  // Runs `fn` in a transaction (a savepoint when nested); commits if it returns
  // ok, rolls back otherwise. Holds the mutex throughout.
  Status Transact(const std::function<Status()>& fn);
  int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }
  // Maps an SQLite result code to a Status with a generic message; logs the
  // SQLite message.
  Status Error(int rc, std::string_view what) const;

 private:
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  explicit Db(sqlite3* db) : db_(db) {}
  Result<sqlite3_stmt*> Compile(Sql sql, unsigned flags);
  Status Exec(Sql sql);
  Status SetJournalModeWal(const std::string& path);

  sqlite3* db_;
  std::recursive_mutex mu_;
  std::map<const char*, Cached> cache_;  // guarded by mu_; keyed by literal address
  int depth_ = 0;                        // guarded by mu_: transaction nesting
};

}  // namespace coffer::store
