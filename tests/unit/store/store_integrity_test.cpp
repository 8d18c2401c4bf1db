// Invariant 7: rows written by anything but the store (here a second SQLite
// connection, as an injection would) grant nothing and raise an alert; the
// activity log refuses UPDATE and DELETE from any connection.
#include <set>

#include "store/store_fixture.h"

namespace coffer::store {
namespace {

using StoreIntegrityTest = StoreTest;

constexpr uint32_t kAllPerms = 0x3f;

TEST_F(StoreIntegrityTest, ForgedAdminGrantAndPromotionHaveNoEffect) {
  Id alice = AddUser("alice");
  Id admin = AddUser("admin", Role::kAdmin);
  Id secret = AddFolder(kRootFolderId, "Secret");
  ASSERT_TRUE(store_->PutAcl({0, secret, SubjectKind::kUser, admin, 1}).ok());
  alerts_.clear();

  // An injected administrator with a password the attacker knows, once with no
  // MAC and once with a valid MAC lifted from another row.
  ASSERT_EQ(Raw("INSERT INTO users (id, name, name_key, display_name, role, disabled,"
                " password_hash, must_change_password, quota_bytes, created_at, mac)"
                " VALUES (900, 'mallory', 'mallory', 'm', 1, 0, '$argon2id$known', 0, 0, 0, '')"),
            SQLITE_OK);
  ASSERT_EQ(Raw("INSERT INTO users (id, name, name_key, display_name, role, disabled,"
                " password_hash, must_change_password, quota_bytes, created_at, mac)"
                " SELECT 901, 'trudy', 'trudy', 't', 1, 0, '$argon2id$known', 0, 0, 0, mac"
                " FROM users WHERE name = 'admin'"),
            SQLITE_OK);
  // A promotion of an existing user.
  ASSERT_EQ(Raw("UPDATE users SET role = 1 WHERE name = 'alice'"), SQLITE_OK);
  // A grant of everything on the secret folder, and a widened existing grant.
  ASSERT_EQ(Raw("INSERT INTO acl (id, folder_id, subject_kind, subject_id, perms, mac) VALUES"
                " (700, " +
                std::to_string(secret) + ", 0, " + std::to_string(alice) +
                ", 63,"
                " 'aa')"),
            SQLITE_OK);
  ASSERT_EQ(Raw("UPDATE acl SET perms = 63 WHERE subject_id = " + std::to_string(admin)),
            SQLITE_OK);
  Id admin_acl = RawInt("SELECT id FROM acl WHERE subject_id = " + std::to_string(admin));

  // None of it is visible through the store...
  EXPECT_EQ(store_->GetUserByName("mallory").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->GetUser(900).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->GetUser(901).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->GetUser(alice).status().code(), Code::kNotFound);
  auto users = store_->ListUsers("", 100);
  ASSERT_EQ(users->size(), 1u);
  EXPECT_EQ(users->front().name, "admin");
  // ...and none of it grants anything.
  EXPECT_TRUE(store_->ListAclForSubjects(alice, {})->empty());
  EXPECT_TRUE(store_->ListAclForSubjects(admin, {})->empty());
  auto on_secret = store_->ListAclForFolder(secret);
  ASSERT_TRUE(on_secret.ok());
  for (const auto& e : *on_secret) EXPECT_NE(e.perms, kAllPerms);
  // Each forged row was reported.
  EXPECT_TRUE(Alerted("users", 900));
  EXPECT_TRUE(Alerted("users", 901));
  EXPECT_TRUE(Alerted("users", alice));
  EXPECT_TRUE(Alerted("acl", 700));
  EXPECT_TRUE(Alerted("acl", admin_acl));
  EXPECT_FALSE(Alerted("users", admin));
  for (const auto& a : alerts_) EXPECT_FALSE(a.detail.empty());
}

TEST_F(StoreIntegrityTest, AMacCannotBeMovedToAnotherRow) {
  Id alice = AddUser("alice");
  Id admin = AddUser("admin", Role::kAdmin);
  // Copy every MAC'd column of the admin onto alice: the id is in the MAC.
  ASSERT_EQ(Raw("UPDATE users SET (role, password_hash, mac) = (SELECT role, password_hash, mac"
                " FROM users WHERE id = " +
                std::to_string(admin) + ") WHERE id = " + std::to_string(alice)),
            SQLITE_OK);
  EXPECT_EQ(store_->GetUser(alice).status().code(), Code::kNotFound);
  EXPECT_TRUE(Alerted("users", alice));
}

TEST_F(StoreIntegrityTest, ForgedGroupsAndMembershipsAreIgnored) {
  Id alice = AddUser("alice");
  Id bob = AddUser("bob");
  auto staff = store_->CreateGroup({0, "Staff", "staff", 0});
  ASSERT_TRUE(staff.ok());
  ASSERT_TRUE(store_->AddMember(*staff, bob).ok());
  alerts_.clear();
  ASSERT_EQ(Raw("INSERT INTO user_groups (id, name, name_key, created_at, mac)"
                " VALUES (50, 'Admins', 'admins', 0, 'beef')"),
            SQLITE_OK);
  ASSERT_EQ(Raw("INSERT INTO memberships (group_id, user_id, mac) VALUES (" +
                std::to_string(*staff) + ", " + std::to_string(alice) + ", 'deadbeef')"),
            SQLITE_OK);
  // Bob's valid MAC copied onto a membership for alice.
  ASSERT_EQ(
      Raw("INSERT INTO memberships (group_id, user_id, mac) SELECT 50, " + std::to_string(alice) +
          ", mac FROM memberships WHERE user_id = " + std::to_string(bob)),
      SQLITE_OK);
  EXPECT_EQ(store_->GetGroup(50).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->GetGroupByName("admins").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->ListGroups()->size(), 1u);
  EXPECT_TRUE(store_->ListGroupIdsOfUser(alice)->empty());
  EXPECT_EQ(*store_->ListMemberIds(*staff), std::vector<Id>{bob});
  EXPECT_TRUE(Alerted("user_groups", 50));
  std::set<std::string> tables;
  for (const auto& a : alerts_) tables.insert(a.table);
  EXPECT_EQ(tables, (std::set<std::string>{"user_groups", "memberships"}));
}

TEST_F(StoreIntegrityTest, ForgedSettingIsIgnored) {
  ASSERT_TRUE(store_->PutSetting("password.min_length", "12").ok());
  ASSERT_EQ(Raw("UPDATE settings SET value = '1' WHERE key = 'password.min_length'"), SQLITE_OK);
  ASSERT_EQ(Raw("INSERT INTO settings (key, value, mac) VALUES ('ip.allow', '0.0.0.0/0', '')"),
            SQLITE_OK);
  EXPECT_FALSE(store_->GetSetting("password.min_length")->has_value());
  EXPECT_FALSE(store_->GetSetting("ip.allow")->has_value());
  ASSERT_EQ(alerts_.size(), 2u);
  EXPECT_EQ(alerts_[0].table, "settings");
  EXPECT_NE(alerts_[0].row_id, alerts_[1].row_id);
  // Rewriting through the store makes the setting valid again.
  ASSERT_TRUE(store_->PutSetting("password.min_length", "12").ok());
  EXPECT_EQ(**store_->GetSetting("password.min_length"), "12");
}

TEST_F(StoreIntegrityTest, AListenerMayUseTheStore) {
  Id alice = AddUser("alice");
  ASSERT_EQ(Raw("UPDATE users SET role = 1 WHERE id = " + std::to_string(alice)), SQLITE_OK);
  store_->SetIntegrityListener([this](const IntegrityAlert& a) {
    ActivityRecord r;
    r.action = "integrity.alert";
    r.detail = a.table + " " + std::to_string(a.row_id);
    EXPECT_TRUE(store_->AppendActivity(r).ok());
  });
  EXPECT_FALSE(store_->GetUser(alice).ok());
  auto log = store_->ListActivity({});
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ(log->front().detail, "users " + std::to_string(alice));
}

TEST_F(StoreIntegrityTest, ActivityIsAppendOnlyForEveryConnection) {
  ActivityRecord r;
  r.at_us = 123;
  r.actor_id = 4;
  r.actor_name = "alice";
  r.protocol = "sftp";
  r.address = "192.0.2.1";
  r.session = "s1";
  r.action = "file.upload";
  r.path = "/a/b";
  r.object_id = 8;
  r.result = "ok";
  r.detail = "d";
  r.bytes = 99;
  r.sha256_hex = "ab";
  auto id = store_->AppendActivity(r);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(Raw("UPDATE activity SET result = 'denied'"), SQLITE_CONSTRAINT);
  EXPECT_EQ(Raw("DELETE FROM activity"), SQLITE_CONSTRAINT);
  auto rows = store_->ListActivity({});
  ASSERT_EQ(rows->size(), 1u);
  const auto& got = rows->front();
  EXPECT_EQ(got.id, *id);
  EXPECT_EQ(got.at_us, 123);
  EXPECT_EQ(got.actor_name, "alice");
  EXPECT_EQ(got.address, "192.0.2.1");
  EXPECT_EQ(got.path, "/a/b");
  EXPECT_EQ(got.result, "ok");
  EXPECT_EQ(got.bytes, 99);
  EXPECT_EQ(got.sha256_hex, "ab");
}

TEST_F(StoreIntegrityTest, ActivityPagesNewestFirstAndFiltersByActor) {
  for (int i = 0; i < 30; ++i) {
    ActivityRecord r;
    r.actor_id = i % 3;
    r.action = "a" + std::to_string(i);
    ASSERT_TRUE(store_->AppendActivity(r).ok());
  }
  auto first = store_->ListActivity({std::nullopt, 0, 10});
  ASSERT_EQ(first->size(), 10u);
  EXPECT_EQ(first->front().action, "a29");
  auto next = store_->ListActivity({std::nullopt, first->back().id, 10});
  EXPECT_EQ(next->front().action, "a19");
  auto mine = store_->ListActivity({1, 0, 100});
  ASSERT_EQ(mine->size(), 10u);
  EXPECT_EQ(mine->front().action, "a28");
  auto older = store_->ListActivity({1, mine->at(4).id, 100});
  EXPECT_EQ(older->size(), 5u);
  EXPECT_EQ(store_->ListActivity({std::nullopt, 0, 0})->size(), 1u);
}

}  // namespace
}  // namespace coffer::store
