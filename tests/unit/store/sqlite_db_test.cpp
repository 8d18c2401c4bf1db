// The SQLite layer under the store: one statement per text, generic error
// messages, busy mapped to kConflict, statements safe to nest.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/sqldb.h"

namespace coffer::store {
namespace {

class SqliteDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "coffer-db-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = (dir_ / "t.db").string();
    auto db = Db::Open(path_, 100);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  Status Run(Sql sql) {
    auto lock = db_->Lock();
    COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare(sql));
    return s->Run();
  }
  Result<std::string> One(Sql sql) {
    auto lock = db_->Lock();
    COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare(sql));
    COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return NotFound("no row");
    return s->Text(0);
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<Db> db_;
};

TEST_F(SqliteDbTest, TrailingStatementsAreRefusedAtPrepare) {
  auto lock = db_->Lock();
  EXPECT_TRUE(db_->Prepare("SELECT 1").ok());
  EXPECT_TRUE(db_->Prepare("SELECT 1;  \n").ok());
  EXPECT_TRUE(db_->Prepare("SELECT 1; -- a note\n /* and another */").ok());
  auto stacked = db_->Prepare("SELECT 1; DROP TABLE users");
  ASSERT_FALSE(stacked.ok());
  EXPECT_EQ(stacked.status().code(), Code::kInternal);
  EXPECT_EQ(db_->Prepare("SELECT 1; /* hidden */ DELETE FROM t").status().code(), Code::kInternal);
  EXPECT_EQ(db_->Prepare("SELECT 1;;").status().code(), Code::kInternal);
  EXPECT_EQ(db_->Prepare("  -- nothing but a comment").status().code(), Code::kInternal);
}

TEST_F(SqliteDbTest, RefusedStackedStatementNeverRuns) {
  ASSERT_TRUE(Run("CREATE TABLE t (x INTEGER)").ok());
  ASSERT_TRUE(Run("INSERT INTO t (x) VALUES (1)").ok());
  EXPECT_FALSE(Run("SELECT 1; DROP TABLE t").ok());
  EXPECT_FALSE(Run("INSERT INTO t (x) VALUES (2); DELETE FROM t").ok());
  EXPECT_EQ(*One("SELECT COUNT(*) FROM t"), "1");
}

TEST_F(SqliteDbTest, TailScannerAcceptsOnlySpaceAndComments) {
  EXPECT_TRUE(OnlyWhitespaceOrComments(""));
  EXPECT_TRUE(OnlyWhitespaceOrComments(" \t\r\n"));
  EXPECT_TRUE(OnlyWhitespaceOrComments("-- x; DROP TABLE t"));
  EXPECT_TRUE(OnlyWhitespaceOrComments("/* x */ -- y\n"));
  EXPECT_TRUE(OnlyWhitespaceOrComments("/* unterminated"));
  EXPECT_FALSE(OnlyWhitespaceOrComments("-- x\nDROP TABLE t"));
  EXPECT_FALSE(OnlyWhitespaceOrComments("/* x */DROP TABLE t"));
  EXPECT_FALSE(OnlyWhitespaceOrComments("- 1"));
  EXPECT_FALSE(OnlyWhitespaceOrComments(";"));
}

TEST_F(SqliteDbTest, ErrorsCarryNoSqliteText) {
  ASSERT_TRUE(Run("CREATE TABLE t (x TEXT UNIQUE)").ok());
  ASSERT_TRUE(Run("INSERT INTO t (x) VALUES ('a')").ok());
  Status dup = Run("INSERT INTO t (x) VALUES ('a')");
  EXPECT_EQ(dup.code(), Code::kAlreadyExists);
  EXPECT_EQ(dup.message().find("UNIQUE"), std::string::npos) << dup.message();
  EXPECT_EQ(dup.message().find("t.x"), std::string::npos) << dup.message();
  Status bad = Run("SELEKT 1");
  EXPECT_EQ(bad.code(), Code::kInternal);
  EXPECT_EQ(bad.message().find("SELEKT"), std::string::npos) << bad.message();
  EXPECT_EQ(bad.message().find("syntax"), std::string::npos) << bad.message();
}

TEST_F(SqliteDbTest, AWriterElsewhereMakesTransactionsConflict) {
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  Status st = db_->Transact([] { return Status::Ok(); });  // waits 100 ms, then gives up
  EXPECT_EQ(st.code(), Code::kConflict) << st.ToString();
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  EXPECT_TRUE(db_->Transact([] { return Status::Ok(); }).ok());
}

TEST_F(SqliteDbTest, OpensInWalWithFullSyncAndForeignKeys) {
  EXPECT_EQ(*One("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(*One("PRAGMA synchronous"), "2");  // FULL
  EXPECT_EQ(*One("PRAGMA foreign_keys"), "1");
}

TEST_F(SqliteDbTest, TheSameStatementCanBeUsedWhileStillStepping) {
  auto lock = db_->Lock();
  auto outer = db_->Prepare("SELECT 1 UNION ALL SELECT 2");
  ASSERT_TRUE(outer.ok());
  ASSERT_TRUE(*(*outer)->Step());
  EXPECT_EQ((*outer)->Int(0), 1);
  {
    auto inner = db_->Prepare("SELECT 1 UNION ALL SELECT 2");
    ASSERT_TRUE(inner.ok());
    ASSERT_TRUE(*(*inner)->Step());
    EXPECT_EQ((*inner)->Int(0), 1);
  }
  ASSERT_TRUE(*(*outer)->Step());
  EXPECT_EQ((*outer)->Int(0), 2);  // the nested use did not reset this one
  EXPECT_FALSE(*(*outer)->Step());
}

TEST_F(SqliteDbTest, NestedTransactionsRollBackOnlyTheirPart) {
  ASSERT_TRUE(Run("CREATE TABLE t (x INTEGER)").ok());
  Status st = db_->Transact([&]() -> Status {
    COFFER_RETURN_IF_ERROR(Run("INSERT INTO t (x) VALUES (1)"));
    EXPECT_FALSE(db_->Transact([&]() -> Status {
                      COFFER_RETURN_IF_ERROR(Run("INSERT INTO t (x) VALUES (2)"));
                      return Conflict("inner");
                    })
                     .ok());
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(*One("SELECT group_concat(x) FROM t"), "1");
  EXPECT_EQ(db_->Transact([&]() -> Status {
                 COFFER_RETURN_IF_ERROR(Run("INSERT INTO t (x) VALUES (3)"));
                 return Conflict("outer");
               })
                .code(),
            Code::kConflict);
  EXPECT_EQ(*One("SELECT group_concat(x) FROM t"), "1");
}

}  // namespace
}  // namespace coffer::store
