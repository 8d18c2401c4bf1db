// The SQLite metadata store: CRUD, uniqueness, keyset pages, transactions,
// append-only activity, refused stacked statements and forged rows.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <thread>

#include "store/metadata_store.h"
#include "store/sqldb.h"

namespace coffer::store {
namespace {

crypto::SecretKey Key(uint8_t fill) {
  std::array<uint8_t, 32> b;
  b.fill(fill);
  return crypto::SecretKey(b);
}

class SqliteRepoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("coffer-store-" + std::to_string(::getpid()) + "-" + std::to_string(n_++) + ".db");
    Reopen();
    store_->SetIntegrityListener([this](const IntegrityAlert& a) { alerts_.push_back(a); });
  }
  void TearDown() override {
    store_.reset();
    for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(path_.string() + ext);
  }
  void Reopen() {
    store_.reset();
    auto s = OpenSqliteStore(path_.string(), mac_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    store_->SetIntegrityListener([this](const IntegrityAlert& a) { alerts_.push_back(a); });
  }
  // Raw SQL on the same file, as an attacker with an injection would have it.
  void Raw(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
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

  static inline int n_ = 0;
  std::filesystem::path path_;
  crypto::RowMac mac_{Key(7)};
  std::unique_ptr<MetadataStore> store_;
  std::vector<IntegrityAlert> alerts_;
};

TEST_F(SqliteRepoTest, RootExistsAndReopeningRunsNoMigrationTwice) {
  auto root = store_->GetEntry(kRootFolderId);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->kind, EntryKind::kFolder);
  AddUser("alice");
  Reopen();
  Reopen();
  EXPECT_TRUE(store_->GetUserByName("alice").ok());
}

TEST_F(SqliteRepoTest, ANewerSchemaIsRefused) {
  Raw("INSERT INTO schema_migrations (version) VALUES (99)");
  store_.reset();
  auto s = OpenSqliteStore(path_.string(), mac_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kFailedPrecondition);
}

TEST_F(SqliteRepoTest, UsersRoundTripAndNamesAreUnique) {
  Id id = AddUser("alice", Role::kAdmin);
  auto u = store_->GetUser(id);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->role, Role::kAdmin);
  User dup;
  dup.name = dup.name_key = "alice";
  EXPECT_EQ(store_->CreateUser(dup).status().code(), Code::kAlreadyExists);
  u->disabled = true;
  u->quota_bytes = 77;
  ASSERT_TRUE(store_->UpdateUser(*u).ok());
  EXPECT_TRUE(store_->GetUser(id)->disabled);
  ASSERT_TRUE(store_->AddUserUsedBytes(id, 10).ok());
  ASSERT_TRUE(store_->AddUserUsedBytes(id, -3).ok());
  EXPECT_EQ(store_->GetUser(id)->used_bytes, 7);  // counters are not MAC'd, still valid
  EXPECT_TRUE(alerts_.empty());
  ASSERT_TRUE(store_->DeleteUser(id).ok());
  EXPECT_EQ(store_->GetUser(id).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->DeleteUser(id).code(), Code::kNotFound);
}

TEST_F(SqliteRepoTest, UsersListInPages) {
  for (int i = 0; i < 25; ++i) AddUser("u" + std::to_string(100 + i));
  std::vector<std::string> seen;
  std::string after;
  for (;;) {
    auto page = store_->ListUsers(after, 10);
    ASSERT_TRUE(page.ok());
    for (auto& u : *page) seen.push_back(u.name);
    if (page->size() < 10) break;
    after = page->back().name_key;
  }
  EXPECT_EQ(seen.size(), 25u);
  EXPECT_EQ(seen.front(), "u100");
  EXPECT_EQ(seen.back(), "u124");
}

TEST_F(SqliteRepoTest, GroupsAndMemberships) {
  Id alice = AddUser("alice");
  Group g{0, "Staff", "staff", 1};
  auto gid = store_->CreateGroup(g);
  ASSERT_TRUE(gid.ok());
  EXPECT_EQ(store_->CreateGroup(g).status().code(), Code::kAlreadyExists);
  ASSERT_TRUE(store_->AddMember(*gid, alice).ok());
  EXPECT_EQ(store_->AddMember(*gid, alice).code(), Code::kAlreadyExists);
  EXPECT_EQ(*store_->ListGroupIdsOfUser(alice), std::vector<Id>{*gid});
  EXPECT_EQ(*store_->ListMemberIds(*gid), std::vector<Id>{alice});
  ASSERT_TRUE(store_->PutAcl({0, kRootFolderId, SubjectKind::kGroup, *gid, 3}).ok());
  ASSERT_TRUE(store_->DeleteGroup(*gid).ok());
  EXPECT_TRUE(store_->ListGroupIdsOfUser(alice)->empty());
  EXPECT_TRUE(store_->ListAclForFolder(kRootFolderId)->empty());
  EXPECT_EQ(store_->RemoveMember(*gid, alice).code(), Code::kNotFound);
}

TEST_F(SqliteRepoTest, LiveNamesAreUniqueButDeletedOnesStack) {
  Id a = AddEntry(kRootFolderId, "a", EntryKind::kFolder);
  AddEntry(a, "x");
  Entry dup;
  dup.parent_id = a;
  dup.name = dup.name_key = "x";
  EXPECT_EQ(store_->InsertEntry(dup).status().code(), Code::kAlreadyExists);
  auto x = store_->FindChild(a, "x");
  ASSERT_TRUE(x.ok());
  ASSERT_TRUE(store_->SetDeleted(x->id, 100, 1).ok());
  EXPECT_EQ(store_->FindChild(a, "x").status().code(), Code::kNotFound);
  Id x2 = AddEntry(a, "x");
  EXPECT_EQ(store_->SetDeleted(x->id, std::nullopt, 0).code(), Code::kAlreadyExists);
  EXPECT_EQ(store_->ListDeletedChildren(a, 10)->size(), 1u);
  EXPECT_EQ(store_->ListAllChildren(a)->size(), 2u);
  EXPECT_EQ(store_->ListExpiredDeleted(99, 10)->size(), 0u);
  EXPECT_EQ(store_->ListExpiredDeleted(100, 10)->size(), 1u);
  EXPECT_EQ(store_->MoveEntry(x2, a, "y", "y", 5).code(), Code::kOk);
  EXPECT_EQ(store_->SetDeleted(kRootFolderId, 1, 1).code(), Code::kInvalidArgument);
}

TEST_F(SqliteRepoTest, KeysetPagesSurviveInsertsInBetween) {
  Id a = AddEntry(kRootFolderId, "a", EntryKind::kFolder);
  for (int i = 0; i < 30; i += 2) AddEntry(a, "f" + std::to_string(100 + i));
  AddEntry(a, "sub", EntryKind::kFolder);
  std::vector<std::string> seen;
  ListCursor cursor;
  for (int page = 0; page < 20; ++page) {
    auto rows = store_->ListChildren(a, cursor, 4);
    ASSERT_TRUE(rows.ok());
    for (auto& e : *rows) seen.push_back(e.name);
    if (rows->size() < 4) break;
    cursor = {static_cast<int>(rows->back().kind), rows->back().name_key, rows->back().id};
    if (page == 1) AddEntry(a, "f113");  // lands after the cursor (f112): seen
    if (page == 1) AddEntry(a, "a-early");  // lands before it: not seen, nothing repeats
  }
  EXPECT_EQ(seen.front(), "sub");
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size());
  EXPECT_TRUE(unique.count("f113"));
  EXPECT_FALSE(unique.count("a-early"));
  EXPECT_EQ(seen.size(), 17u);
}

TEST_F(SqliteRepoTest, VersionsAndKeyRotationQueries) {
  Id f = AddEntry(kRootFolderId, "f");
  for (int i = 0; i < 5; ++i) {
    FileVersion v{0, f, "blob" + std::to_string(i), 10 + i, "sha", 65536, i < 3 ? 1 : 2,
                  Bytes{1, 2, 3}, 9, 100 + i};
    auto id = store_->InsertVersion(v);
    ASSERT_TRUE(id.ok());
    v.id = *id;
    ASSERT_TRUE(store_->SetCurrentVersion(f, v).ok());
  }
  EXPECT_EQ(store_->GetEntry(f)->size, 14);
  auto versions = store_->ListVersions(f);
  EXPECT_EQ(versions->front().size, 14);  // newest first
  EXPECT_EQ(*store_->BlobReferenced("blob2"), true);
  EXPECT_EQ(*store_->BlobReferenced("nope"), false);
  auto old = store_->ListVersionsNotUsingKey(2, 0, 10);
  ASSERT_EQ(old->size(), 3u);
  ASSERT_TRUE(store_->UpdateVersionKey((*old)[0].id, 2, Bytes{9}).ok());
  EXPECT_EQ(store_->ListVersionsNotUsingKey(2, 0, 10)->size(), 2u);
  EXPECT_EQ(store_->GetVersion((*old)[0].id)->wrapped_key, Bytes{9});
  ASSERT_TRUE(store_->DeleteVersion((*old)[0].id).ok());
  EXPECT_EQ(store_->DeleteVersion((*old)[0].id).code(), Code::kNotFound);
}

TEST_F(SqliteRepoTest, TransactionsRollBackOnError) {
  Status st = store_->Transact([&]() -> Status {
    AddUser("ghost");
    return Conflict("changed my mind");
  });
  EXPECT_EQ(st.code(), Code::kConflict);
  EXPECT_EQ(store_->GetUserByName("ghost").status().code(), Code::kNotFound);
  // A failed nested transaction rolls back only its own part.
  ASSERT_TRUE(store_->Transact([&]() -> Status {
                       AddUser("kept");
                       Status inner = store_->Transact([&]() -> Status {
                         AddUser("dropped");
                         return Conflict("inner");
                       });
                       EXPECT_FALSE(inner.ok());
                       return Status::Ok();
                     }).ok());
  EXPECT_TRUE(store_->GetUserByName("kept").ok());
  EXPECT_FALSE(store_->GetUserByName("dropped").ok());
}

TEST_F(SqliteRepoTest, ActivityIsAppendOnly) {
  ActivityRecord r;
  r.action = "file.upload";
  r.result = "ok";
  auto id = store_->AppendActivity(r);
  ASSERT_TRUE(id.ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "UPDATE activity SET result = 'denied'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "DELETE FROM activity", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto rows = store_->ListActivity({});
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().result, "ok");
}

TEST_F(SqliteRepoTest, ActivityPagesNewestFirstAndFiltersByActor) {
  for (int i = 0; i < 30; ++i) {
    ActivityRecord r;
    r.actor_id = i % 3;
    r.action = "a" + std::to_string(i);
    ASSERT_TRUE(store_->AppendActivity(r).ok());
  }
  auto first = store_->ListActivity({std::nullopt, 0, 10});
  EXPECT_EQ(first->front().action, "a29");
  auto next = store_->ListActivity({std::nullopt, first->back().id, 10});
  EXPECT_EQ(next->front().action, "a19");
  auto mine = store_->ListActivity({1, 0, 100});
  EXPECT_EQ(mine->size(), 10u);
}

TEST_F(SqliteRepoTest, StackedStatementsAreRefusedAtPrepare) {
  auto db = Db::Open(path_.string() + "-raw", 1000);
  ASSERT_TRUE(db.ok());
  auto lock = (*db)->Lock();
  EXPECT_TRUE((*db)->Prepare("SELECT 1").ok());
  EXPECT_TRUE((*db)->Prepare("SELECT 1;  \n").ok());
  auto stacked = (*db)->Prepare("SELECT 1; DROP TABLE users");
  EXPECT_EQ(stacked.status().code(), Code::kInternal);
  auto commented = (*db)->Prepare("SELECT 1; -- trailing");
  EXPECT_FALSE(commented.ok());
  auto broken = (*db)->Prepare("SELEKT 1");
  EXPECT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().message().find("SELEKT"), std::string::npos);  // no SQL in messages
  lock.unlock();
  db->reset();
  std::filesystem::remove(path_.string() + "-raw");
}

TEST_F(SqliteRepoTest, ForgedAdministratorAclAndMembershipHaveNoEffect) {
  Id alice = AddUser("alice");
  Id admin = AddUser("admin", Role::kAdmin);
  auto gid = store_->CreateGroup({0, "g", "g", 0});
  Id folder = AddEntry(kRootFolderId, "Secret", EntryKind::kFolder);
  ASSERT_TRUE(store_->PutAcl({0, folder, SubjectKind::kUser, admin, 1}).ok());
  // As an injection would: a new admin, a promotion, an ACL row, a membership.
  Raw("INSERT INTO users (id, name, name_key, display_name, role, disabled, password_hash,"
      " must_change_password, quota_bytes, created_at, mac) SELECT 500, 'mallory', 'mallory',"
      " 'm', 1, 0, password_hash, 0, 0, 0, mac FROM users WHERE name = 'admin'");
  Raw("UPDATE users SET role = 1 WHERE name = 'alice'");
  Raw("INSERT INTO acl (folder_id, subject_kind, subject_id, perms, mac) SELECT " +
      std::to_string(folder) + ", 0, " + std::to_string(alice) + ", 63, mac FROM acl LIMIT 1");
  Raw("INSERT INTO memberships (group_id, user_id, mac) VALUES (" + std::to_string(*gid) + ", " +
      std::to_string(alice) + ", 'deadbeef')");
  Raw("UPDATE acl SET perms = 63 WHERE subject_id = " + std::to_string(admin));
  alerts_.clear();
  EXPECT_EQ(store_->GetUserByName("mallory").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->GetUser(alice).status().code(), Code::kNotFound);
  auto users = store_->ListUsers("", 100);
  ASSERT_EQ(users->size(), 1u);
  EXPECT_EQ(users->front().name, "admin");
  EXPECT_TRUE(store_->ListAclForSubjects(alice, {})->empty());
  EXPECT_TRUE(store_->ListAclForFolder(folder)->empty());  // the altered admin entry too
  EXPECT_TRUE(store_->ListGroupIdsOfUser(alice)->empty());
  std::set<std::string> tables;
  for (auto& a : alerts_) tables.insert(a.table);
  EXPECT_EQ(tables, (std::set<std::string>{"users", "acl", "memberships"}));
}

TEST_F(SqliteRepoTest, ForgedSettingIsIgnored) {
  ASSERT_TRUE(store_->PutSetting("password.min_length", "12").ok());
  EXPECT_EQ(**store_->GetSetting("password.min_length"), "12");
  Raw("UPDATE settings SET value = '1' WHERE key = 'password.min_length'");
  EXPECT_FALSE(store_->GetSetting("password.min_length")->has_value());
  EXPECT_EQ(alerts_.back().table, "settings");
}

TEST_F(SqliteRepoTest, ConcurrentCounterUpdatesAreExact) {
  Id u = AddUser("counter");
  Id f = AddEntry(kRootFolderId, "F", EntryKind::kFolder);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 250; ++i) {
        ASSERT_TRUE(store_->Transact([&]() -> Status {
                            COFFER_RETURN_IF_ERROR(store_->AddUserUsedBytes(u, 3));
                            return store_->AddFolderUsedBytes(f, 5);
                          }).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(store_->GetUser(u)->used_bytes, 3000);
  EXPECT_EQ(store_->GetEntry(f)->used_bytes, 5000);
}

}  // namespace
}  // namespace coffer::store
