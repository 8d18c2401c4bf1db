// A small SQLite layer that makes injection impossible by construction.
//
// `Sql` can only be built from a string literal (consteval), so a statement's
// text is always constant; values reach SQLite only through bound parameters.
// A statement text holding anything after its first statement is refused at
// prepare time (no stacked statements, THREAT-MODEL invariant 1). SQLite's own
// error text is logged, never put into a Status message a client could see.
//
// Db owns one connection behind a recursive mutex: every call locks it, and
// Transact() holds it for the whole transaction (BEGIN IMMEDIATE; nested calls
// use savepoints), so a transaction sees and makes a consistent state.
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

struct Sql {
  template <size_t N>
  consteval Sql(const char (&literal)[N]) : text(literal) {}  // NOLINT: literals only
  const char* text;
};

class Db;

// One execution of a prepared statement: bind, step, read columns. Resets the
// cached statement when it goes out of scope.
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

  // true: a row is ready; false: done.
  Result<bool> Step();
  // Runs to completion (for statements that return no rows).
  Status Run();

  int64_t Int(int col) const;
  std::optional<int64_t> OptInt(int col) const;
  std::string Text(int col) const;
  Bytes Blob(int col) const;

 private:
  friend class Db;
  Stmt(Db& db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Stmt& Bound(int rc);
  Db& db_;
  sqlite3_stmt* stmt_;
  int next_ = 1;
  Status bind_error_;
};

class Db {
 public:
  static Result<std::unique_ptr<Db>> Open(const std::string& path, int busy_timeout_ms);
  ~Db();

  // Prepares (or reuses) a statement. kInternal if the text fails to compile or
  // carries more than one statement. Call with the mutex held (Lock()).
  Result<std::unique_ptr<Stmt>> Prepare(Sql sql);
  std::unique_lock<std::recursive_mutex> Lock() { return std::unique_lock(mu_); }
  Status Transact(const std::function<Status()>& fn);
  int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }
  // Maps an SQLite result code to a Status; logs the SQLite message.
  Status Error(int rc, std::string_view what) const;

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  Status Exec(Sql sql);
  sqlite3* db_;
  std::recursive_mutex mu_;
  std::map<const char*, sqlite3_stmt*> cache_;  // guarded by mu_; keyed by literal address
  int depth_ = 0;                               // guarded by mu_: transaction nesting
};

}  // namespace coffer::store
