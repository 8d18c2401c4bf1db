// A fresh SQLite store in its own temporary directory for each test, the
// integrity alerts it raised, and raw access to the same file through a second
// connection — exactly what an attacker with an SQL injection would have.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "store/metadata_store.h"

namespace coffer::store {

inline crypto::SecretKey TestKey(uint8_t fill) {
  std::array<uint8_t, crypto::SecretKey::kSize> b;
  b.fill(fill);
  return crypto::SecretKey(b);
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "coffer-store-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = dir_ / "meta.db";
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    auto s = OpenSqliteStore(path_.string(), mac_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    store_->SetIntegrityListener([this](const IntegrityAlert& a) { alerts_.push_back(a); });
  }

  // Runs `sql` on a second connection; returns the SQLite result code.
  int Raw(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    sqlite3_free(err);
    sqlite3_close(db);
    return rc;
  }
  // The first column of the first row of `sql` on a second connection.
  int64_t RawInt(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sql;
    int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
  }

  Id AddUser(const std::string& name, Role role = Role::kUser) {
    User u;
    u.name = u.name_key = u.display_name = name;
    u.role = role;
    u.password_hash = "$argon2id$hash-of-" + name;
    auto id = store_->CreateUser(u);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }
  Id AddEntry(Id parent, const std::string& name, EntryKind kind = EntryKind::kFile) {
    Entry e;
    e.parent_id = parent;
    e.kind = kind;
    e.name = e.name_key = name;
    auto id = store_->InsertEntry(e);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }
  Id AddFolder(Id parent, const std::string& name) {
    return AddEntry(parent, name, EntryKind::kFolder);
  }
  bool Alerted(const std::string& table, Id row_id) const {
    for (const auto& a : alerts_) {
      if (a.table == table && a.row_id == row_id) return true;
    }
    return false;
  }

  std::filesystem::path dir_;
  std::filesystem::path path_;
  crypto::RowMac mac_{TestKey(7)};
  std::unique_ptr<MetadataStore> store_;
  std::vector<IntegrityAlert> alerts_;
};

}  // namespace coffer::store
