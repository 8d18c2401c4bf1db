// Users, groups, memberships, ACL entries and settings: CRUD, uniqueness on the
// caller's case-folded key, pages, and what deleting a subject takes with it.
#include <set>

#include "store/store_fixture.h"

namespace coffer::store {
namespace {

using StoreAccountsTest = StoreTest;

TEST_F(StoreAccountsTest, UsersRoundTripEveryField) {
  User u;
  u.name = "Ålice";
  u.name_key = "ålice";
  u.display_name = "Alice A.";
  u.role = Role::kAdmin;
  u.disabled = true;
  u.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
  u.must_change_password = true;
  u.quota_bytes = 1 << 20;
  u.created_at = 1700000000;
  auto id = store_->CreateUser(u);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto got = store_->GetUser(*id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->id, *id);
  EXPECT_EQ(got->name, u.name);
  EXPECT_EQ(got->name_key, u.name_key);
  EXPECT_EQ(got->display_name, u.display_name);
  EXPECT_EQ(got->role, Role::kAdmin);
  EXPECT_TRUE(got->disabled);
  EXPECT_EQ(got->password_hash, u.password_hash);
  EXPECT_TRUE(got->must_change_password);
  EXPECT_EQ(got->quota_bytes, 1 << 20);
  EXPECT_EQ(got->used_bytes, 0);
  EXPECT_EQ(got->created_at, 1700000000);
  EXPECT_TRUE(alerts_.empty());
}

TEST_F(StoreAccountsTest, LookupIsByTheCallersCaseFoldedKey) {
  User u;
  u.name = "Alice";
  u.name_key = "alice";
  ASSERT_TRUE(store_->CreateUser(u).ok());
  EXPECT_EQ(store_->GetUserByName("alice")->name, "Alice");
  EXPECT_EQ(store_->GetUserByName("Alice").status().code(), Code::kNotFound);
  User other;
  other.name = "ALICE";
  other.name_key = "alice";  // a different spelling folds to the same key
  auto dup = store_->CreateUser(other);
  EXPECT_EQ(dup.status().code(), Code::kAlreadyExists);
  EXPECT_EQ(dup.status().message().find("UNIQUE"), std::string::npos);
}

TEST_F(StoreAccountsTest, UpdateChangesEverythingButUsage) {
  Id id = AddUser("bob");
  ASSERT_TRUE(store_->AddUserUsedBytes(id, 10).ok());
  User u = *store_->GetUser(id);
  u.name = "Robert";
  u.name_key = "robert";
  u.role = Role::kAdmin;
  u.disabled = true;
  u.password_hash = "$argon2id$new";
  u.must_change_password = true;
  u.quota_bytes = 77;
  u.used_bytes = 999;  // ignored: a counter, moved only by AddUserUsedBytes
  ASSERT_TRUE(store_->UpdateUser(u).ok());
  auto got = store_->GetUserByName("robert");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->role, Role::kAdmin);
  EXPECT_TRUE(got->disabled);
  EXPECT_EQ(got->password_hash, "$argon2id$new");
  EXPECT_EQ(got->quota_bytes, 77);
  EXPECT_EQ(got->used_bytes, 10);
  EXPECT_EQ(store_->GetUserByName("bob").status().code(), Code::kNotFound);
  AddUser("carol");
  u.name_key = "carol";
  EXPECT_EQ(store_->UpdateUser(u).code(), Code::kAlreadyExists);
  u.id = 12345;
  u.name_key = "nobody";
  EXPECT_EQ(store_->UpdateUser(u).code(), Code::kNotFound);
  EXPECT_TRUE(alerts_.empty());
}

TEST_F(StoreAccountsTest, UsageCountersMoveBothWaysWithoutBreakingTheMac) {
  Id id = AddUser("dave");
  ASSERT_TRUE(store_->AddUserUsedBytes(id, 10).ok());
  ASSERT_TRUE(store_->AddUserUsedBytes(id, -3).ok());
  EXPECT_EQ(store_->GetUser(id)->used_bytes, 7);
  EXPECT_EQ(store_->AddUserUsedBytes(9999, 1).code(), Code::kNotFound);
  EXPECT_TRUE(alerts_.empty());
}

TEST_F(StoreAccountsTest, DeletingAUserTakesItsMembershipsAndGrants) {
  Id erin = AddUser("erin");
  Id frank = AddUser("frank");
  Id folder = AddFolder(kRootFolderId, "Shared");
  auto gid = store_->CreateGroup({0, "Staff", "staff", 1});
  ASSERT_TRUE(gid.ok());
  ASSERT_TRUE(store_->AddMember(*gid, erin).ok());
  ASSERT_TRUE(store_->AddMember(*gid, frank).ok());
  ASSERT_TRUE(store_->PutAcl({0, folder, SubjectKind::kUser, erin, 7}).ok());
  ASSERT_TRUE(store_->PutAcl({0, folder, SubjectKind::kUser, frank, 1}).ok());
  ASSERT_TRUE(store_->DeleteUser(erin).ok());
  EXPECT_EQ(store_->GetUser(erin).status().code(), Code::kNotFound);
  EXPECT_EQ(*store_->ListMemberIds(*gid), std::vector<Id>{frank});
  auto acl = store_->ListAclForFolder(folder);
  ASSERT_EQ(acl->size(), 1u);
  EXPECT_EQ(acl->front().subject_id, frank);
  EXPECT_EQ(store_->DeleteUser(erin).code(), Code::kNotFound);
  // Ids are never reused, so nothing left behind could attach to a newcomer.
  EXPECT_GT(AddUser("erin"), frank);
}

TEST_F(StoreAccountsTest, UsersListInKeysetPages) {
  for (int i = 0; i < 25; ++i) AddUser("u" + std::to_string(100 + i));
  std::vector<std::string> seen;
  std::string after;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = store_->ListUsers(after, 10);
    ASSERT_TRUE(page.ok());
    for (auto& u : *page) seen.push_back(u.name);
    if (page->size() < 10) break;
    after = page->back().name_key;
    if (pages == 0) AddUser("u000");  // before the cursor: not seen
  }
  ASSERT_EQ(seen.size(), 25u);
  EXPECT_EQ(seen.front(), "u100");
  EXPECT_EQ(seen.back(), "u124");
  EXPECT_EQ(store_->ListUsers("", 0)->size(), 1u);  // a zero limit still means one
  EXPECT_EQ(store_->ListUsers("", 100000)->size(), 26u);
}

TEST_F(StoreAccountsTest, GroupsAndMemberships) {
  Id alice = AddUser("alice");
  Id bob = AddUser("bob");
  auto gid = store_->CreateGroup({0, "Staff", "staff", 5});
  ASSERT_TRUE(gid.ok());
  EXPECT_EQ(store_->CreateGroup({0, "STAFF", "staff", 6}).status().code(), Code::kAlreadyExists);
  auto other = store_->CreateGroup({0, "Auditors", "auditors", 7});
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(store_->GetGroup(*gid)->name, "Staff");
  EXPECT_EQ(store_->GetGroupByName("staff")->created_at, 5);
  EXPECT_EQ(store_->GetGroupByName("nope").status().code(), Code::kNotFound);
  auto all = store_->ListGroups();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(all->front().name_key, "auditors");

  ASSERT_TRUE(store_->AddMember(*gid, alice).ok());
  ASSERT_TRUE(store_->AddMember(*gid, bob).ok());
  ASSERT_TRUE(store_->AddMember(*other, alice).ok());
  EXPECT_EQ(store_->AddMember(*gid, alice).code(), Code::kAlreadyExists);
  EXPECT_FALSE(store_->AddMember(*gid, 9999).ok());  // no such user
  EXPECT_EQ(*store_->ListGroupIdsOfUser(alice), (std::vector<Id>{*gid, *other}));
  EXPECT_EQ(*store_->ListMemberIds(*gid), (std::vector<Id>{alice, bob}));
  ASSERT_TRUE(store_->RemoveMember(*gid, bob).ok());
  EXPECT_EQ(store_->RemoveMember(*gid, bob).code(), Code::kNotFound);
  EXPECT_EQ(*store_->ListMemberIds(*gid), std::vector<Id>{alice});

  ASSERT_TRUE(store_->PutAcl({0, kRootFolderId, SubjectKind::kGroup, *gid, 3}).ok());
  ASSERT_TRUE(store_->DeleteGroup(*gid).ok());
  EXPECT_EQ(store_->GetGroup(*gid).status().code(), Code::kNotFound);
  EXPECT_EQ(*store_->ListGroupIdsOfUser(alice), std::vector<Id>{*other});
  EXPECT_TRUE(store_->ListAclForFolder(kRootFolderId)->empty());
  EXPECT_EQ(store_->DeleteGroup(*gid).code(), Code::kNotFound);
  EXPECT_TRUE(alerts_.empty());
}

TEST_F(StoreAccountsTest, AclEntriesAreOnePerFolderAndSubject) {
  Id alice = AddUser("alice");
  auto gid = store_->CreateGroup({0, "g", "g", 0});
  Id a = AddFolder(kRootFolderId, "A");
  Id b = AddFolder(kRootFolderId, "B");
  ASSERT_TRUE(store_->PutAcl({0, a, SubjectKind::kUser, alice, 1}).ok());
  ASSERT_TRUE(store_->PutAcl({0, a, SubjectKind::kUser, alice, 0x3f}).ok());  // replaces
  // A group whose id equals alice's user id is a different subject.
  ASSERT_TRUE(store_->PutAcl({0, a, SubjectKind::kGroup, alice + 100, 2}).ok());
  ASSERT_TRUE(store_->PutAcl({0, b, SubjectKind::kGroup, *gid, 0}).ok());  // explicit "none"
  auto on_a = store_->ListAclForFolder(a);
  ASSERT_EQ(on_a->size(), 2u);
  EXPECT_EQ(on_a->front().subject_kind, SubjectKind::kUser);
  EXPECT_EQ(on_a->front().perms, 0x3fu);
  auto mine = store_->ListAclForSubjects(alice, {*gid});
  std::set<std::pair<Id, uint32_t>> got;
  for (const auto& e : *mine) got.insert({e.folder_id, e.perms});
  EXPECT_EQ(got, (std::set<std::pair<Id, uint32_t>>{{a, 0x3f}, {b, 0}}));
  EXPECT_EQ(store_->ListAclForSubjects(alice, {})->size(), 1u);
  EXPECT_EQ(store_->ListAclForSubjects(alice, std::vector<Id>(1001, *gid)).status().code(),
            Code::kLimitExceeded);
  ASSERT_TRUE(store_->DeleteAcl(a, SubjectKind::kUser, alice).ok());
  EXPECT_EQ(store_->DeleteAcl(a, SubjectKind::kUser, alice).code(), Code::kNotFound);
  EXPECT_EQ(store_->ListAclForFolder(a)->size(), 1u);
  EXPECT_TRUE(alerts_.empty());
}

TEST_F(StoreAccountsTest, SettingsRoundTripAndOverwrite) {
  EXPECT_FALSE(store_->GetSetting("x")->has_value());
  ASSERT_TRUE(store_->PutSetting("password.min_length", "12").ok());
  ASSERT_TRUE(store_->PutSetting("password.min_length", "14").ok());
  ASSERT_TRUE(store_->PutSetting("empty", "").ok());
  EXPECT_EQ(**store_->GetSetting("password.min_length"), "14");
  EXPECT_EQ(**store_->GetSetting("empty"), "");
  Reopen();
  EXPECT_EQ(**store_->GetSetting("password.min_length"), "14");
  EXPECT_TRUE(alerts_.empty());
}

}  // namespace
}  // namespace coffer::store
