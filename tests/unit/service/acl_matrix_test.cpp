// The authorization policy as a matrix: roles x permissions x inheritance x override.
#include <gtest/gtest.h>

#include "service/authz.h"

namespace coffer::service {
namespace {

using store::AclEntry;
using store::Id;
using store::SubjectKind;

// Tree: 1 (root) / 10 Dept / 20 Team / 30 Project ; 1 / 11 Other
const std::vector<Id> kDept = {1, 10}, kTeam = {1, 10, 20}, kProject = {1, 10, 20, 30},
                      kOther = {1, 11}, kRoot = {1};
constexpr Id kAlice = 100, kBob = 101, kStaff = 500, kAudit = 501;

Principal User(Id id, std::vector<Id> groups = {}) {
  Principal p;
  p.user_id = id;
  p.name = "u" + std::to_string(id);
  p.group_ids = std::move(groups);
  return p;
}

AclEntry ForUser(Id folder, Id user, uint32_t perms) {
  return {0, folder, SubjectKind::kUser, user, perms};
}
AclEntry ForGroup(Id folder, Id group, uint32_t perms) {
  return {0, folder, SubjectKind::kGroup, group, perms};
}

TEST(AclMatrixTest, EachPermissionIsGrantedAloneAndInherited) {
  for (uint32_t perm : {kList, kRead, kWrite, kDelete, kShare, kManage}) {
    std::vector<AclEntry> acl = {ForUser(10, kAlice, perm)};
    EXPECT_EQ(EffectivePerms(User(kAlice), kDept, acl), perm);
    EXPECT_EQ(EffectivePerms(User(kAlice), kTeam, acl), perm);
    EXPECT_EQ(EffectivePerms(User(kAlice), kProject, acl), perm);
    EXPECT_EQ(EffectivePerms(User(kAlice), kRoot, acl), 0u);
    EXPECT_EQ(EffectivePerms(User(kAlice), kOther, acl), 0u);
    EXPECT_EQ(EffectivePerms(User(kBob), kDept, acl), 0u);
  }
}

TEST(AclMatrixTest, AdministratorsAndSystemHaveEverything) {
  Principal admin = User(kBob);
  admin.role = store::Role::kAdmin;
  std::vector<AclEntry> acl = {ForUser(10, kBob, 0)};
  for (const auto& path : {kRoot, kDept, kProject, kOther}) {
    EXPECT_EQ(EffectivePerms(admin, path, acl), kAllPerms);
    EXPECT_EQ(EffectivePerms(Principal::System(), path, {}), kAllPerms);
  }
}

TEST(AclMatrixTest, GroupsUnionAtTheSameFolder) {
  std::vector<AclEntry> acl = {ForGroup(10, kStaff, kList | kRead), ForGroup(10, kAudit, kList | kShare)};
  EXPECT_EQ(EffectivePerms(User(kAlice, {kStaff}), kTeam, acl), kList | kRead);
  EXPECT_EQ(EffectivePerms(User(kAlice, {kStaff, kAudit}), kTeam, acl), kList | kRead | kShare);
  EXPECT_EQ(EffectivePerms(User(kAlice), kTeam, acl), 0u);
}

TEST(AclMatrixTest, UserEntryBeatsGroupEntriesAtTheSameFolder) {
  std::vector<AclEntry> acl = {ForGroup(10, kStaff, kAllPerms), ForUser(10, kAlice, kList)};
  EXPECT_EQ(EffectivePerms(User(kAlice, {kStaff}), kDept, acl), kList);
  EXPECT_EQ(EffectivePerms(User(kBob, {kStaff}), kDept, acl), kAllPerms);
}

TEST(AclMatrixTest, NearerEntriesOverrideFartherOnes) {
  // An explicit "none" for alice on Team removes the group grant on Dept below it.
  std::vector<AclEntry> acl = {ForGroup(10, kStaff, kList | kRead | kWrite), ForUser(20, kAlice, 0)};
  Principal alice = User(kAlice, {kStaff});
  EXPECT_EQ(EffectivePerms(alice, kDept, acl), kList | kRead | kWrite);
  EXPECT_EQ(EffectivePerms(alice, kTeam, acl), 0u);
  EXPECT_EQ(EffectivePerms(alice, kProject, acl), 0u);
  // A nearer group entry overrides a farther user entry.
  std::vector<AclEntry> acl2 = {ForUser(10, kAlice, kAllPerms), ForGroup(20, kStaff, kList)};
  EXPECT_EQ(EffectivePerms(alice, kProject, acl2), kList);
  EXPECT_EQ(EffectivePerms(alice, kDept, acl2), kAllPerms);
  // A nearer grant can also widen.
  std::vector<AclEntry> acl3 = {ForUser(10, kAlice, kList), ForUser(30, kAlice, kAllPerms)};
  EXPECT_EQ(EffectivePerms(alice, kTeam, acl3), kList);
  EXPECT_EQ(EffectivePerms(alice, kProject, acl3), kAllPerms);
}

TEST(AclMatrixTest, EveryActionNeedsItsPermission) {
  const std::pair<Action, uint32_t> table[] = {
      {Action::kList, kList},        {Action::kStat, kList},       {Action::kRead, kRead},
      {Action::kUpload, kWrite},     {Action::kMkdir, kWrite},     {Action::kRenameWithin, kWrite},
      {Action::kMoveOut, kDelete},   {Action::kMoveIn, kWrite},    {Action::kCopyFrom, kRead},
      {Action::kCopyTo, kWrite},     {Action::kDelete, kDelete},   {Action::kRestore, kWrite},
      {Action::kManageAcl, kManage}, {Action::kSetQuota, kManage},
  };
  for (const auto& [action, need] : table) {
    EXPECT_EQ(RequiredPerms(action), need);
    EXPECT_TRUE(Allows(need, action));
    EXPECT_TRUE(Allows(kAllPerms, action));
    EXPECT_FALSE(Allows(kAllPerms & ~need, action));
    EXPECT_FALSE(Allows(0, action));
  }
}

TEST(AclMatrixTest, OnlyTheWayToAGrantIsTraversable) {
  AccessView view(User(kAlice), {{ForUser(30, kAlice, kList | kRead), kProject}});
  EXPECT_TRUE(view.Traversable(kRoot));
  EXPECT_TRUE(view.Traversable(kDept));
  EXPECT_TRUE(view.Traversable(kTeam));
  EXPECT_FALSE(view.Traversable(kProject));  // not strictly below
  EXPECT_TRUE(view.Visible(kProject));       // but listable
  EXPECT_FALSE(view.Visible(kOther));
  EXPECT_FALSE(view.Visible(std::vector<Id>{1, 10, 21}));  // a sibling of Team
  EXPECT_EQ(view.Effective(kTeam), 0u);
}

TEST(AclMatrixTest, AGrantWithoutListOpensNoWay) {
  AccessView none(User(kAlice), {{ForUser(30, kAlice, 0), kProject}});
  EXPECT_FALSE(none.Traversable(kDept));
  EXPECT_FALSE(none.Visible(kProject));
  AccessView write_only(User(kAlice), {{ForUser(30, kAlice, kWrite), kProject}});
  EXPECT_FALSE(write_only.Traversable(kDept));
  // Overridden below by the group's own grant? The user's "none" deeper wins.
  AccessView over(User(kAlice, {kStaff}),
                  {{ForGroup(10, kStaff, kList), kDept}, {ForUser(30, kAlice, 0), kProject}});
  EXPECT_TRUE(over.Visible(kTeam));
  EXPECT_FALSE(over.Visible(kProject));
}

TEST(AclMatrixTest, PermissionWords) {
  EXPECT_EQ(*ParsePerms("list,read"), kList | kRead);
  EXPECT_EQ(*ParsePerms("READ write"), kRead | kWrite);
  EXPECT_EQ(*ParsePerms("all"), kAllPerms);
  EXPECT_EQ(*ParsePerms("none"), 0u);
  EXPECT_EQ(*ParsePerms("list,,read,"), kList | kRead);
  for (const char* bad : {"", ",", "reed", "list;read", "none,read", "all\x01"}) {
    EXPECT_EQ(ParsePerms(bad).status().code(), Code::kInvalidArgument) << bad;
  }
  EXPECT_NE(ParsePerms("frobnicate").status().message().find("frobnicate"), std::string::npos);
  for (uint32_t p = 0; p <= kAllPerms; ++p) EXPECT_EQ(*ParsePerms(PermsToString(p)), p);
}

}  // namespace
}  // namespace coffer::service
