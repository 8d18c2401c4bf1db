// The authorization policy as a matrix: who (admin, system, user, user in one
// group, user in two groups) x each permission x where the grant hangs (parent,
// child, grandchild) x overrides; every Action's requirement; what is visible and
// traversable; the permission words.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "service/authz.h"
#include "service/perms.h"

namespace coffer::service {
namespace {

using store::AclEntry;
using store::Id;
using store::SubjectKind;

// 1 (root)
// ├── 10 Finance            (the "parent")
// │   ├── 20 Payroll        (the "child")
// │   │   └── 30 2026       (the "grandchild")
// │   └── 21 Invoices       (a sibling of the child)
// └── 11 Legal
const std::vector<Id> kRoot = {1}, kFinance = {1, 10}, kPayroll = {1, 10, 20},
                      kYear = {1, 10, 20, 30}, kInvoices = {1, 10, 21}, kLegal = {1, 11};
constexpr Id kAlice = 100, kBob = 101, kStaff = 500, kAuditors = 501, kOthers = 502;
constexpr uint32_t kEachPerm[] = {kList, kRead, kWrite, kDelete, kShare, kManage};

Principal User(Id id, std::vector<Id> groups = {}) {
  Principal p;
  p.user_id = id;
  p.name = "u" + std::to_string(id);
  p.group_ids = std::move(groups);
  p.auth = AuthMethod::kPassword;
  return p;
}
Principal Admin() {
  Principal p = User(kBob);
  p.role = store::Role::kAdmin;
  return p;
}
AclEntry ForUser(Id folder, Id user, uint32_t perms) {
  return {0, folder, SubjectKind::kUser, user, perms};
}
AclEntry ForGroup(Id folder, Id group, uint32_t perms) {
  return {0, folder, SubjectKind::kGroup, group, perms};
}
uint32_t Eff(const Principal& p, const std::vector<Id>& path, const std::vector<AclEntry>& acl) {
  return EffectivePerms(p, path, acl);
}

TEST(AuthzTest, SystemPrincipalIsAnAuditedAdministrator) {
  Principal s = Principal::System();
  EXPECT_EQ(s.user_id, 0);
  EXPECT_EQ(s.name, "system");
  EXPECT_EQ(s.auth, AuthMethod::kSystem);
  EXPECT_TRUE(s.is_admin());
  EXPECT_FALSE(User(kAlice).is_admin());
}

// A grant of one permission on the parent reaches child and grandchild, for the
// user it names directly and for members of the group it names, and nobody else.
TEST(AuthzTest, EachPermissionIsInheritedByChildAndGrandchild) {
  for (uint32_t perm : kEachPerm) {
    SCOPED_TRACE(PermsToString(perm));
    const std::vector<AclEntry> acls[] = {{ForUser(10, kAlice, perm)},
                                          {ForGroup(10, kStaff, perm)}};
    for (const auto& acl : acls) {
      for (const Principal& who : {User(kAlice, {kStaff}), User(kAlice, {kStaff, kAuditors})}) {
        for (const auto& path : {kFinance, kPayroll, kYear, kInvoices}) {
          EXPECT_EQ(Eff(who, path, acl), perm);
        }
        EXPECT_EQ(Eff(who, kRoot, acl), 0u);   // never upwards
        EXPECT_EQ(Eff(who, kLegal, acl), 0u);  // never sideways
      }
      EXPECT_EQ(Eff(User(kBob, {kOthers}), kPayroll, acl), 0u);
    }
  }
}

TEST(AuthzTest, GrantsOnChildOrGrandchildDoNotReachUpwards) {
  for (uint32_t perm : kEachPerm) {
    std::vector<AclEntry> on_child = {ForUser(20, kAlice, perm)};
    EXPECT_EQ(Eff(User(kAlice), kFinance, on_child), 0u);
    EXPECT_EQ(Eff(User(kAlice), kPayroll, on_child), perm);
    EXPECT_EQ(Eff(User(kAlice), kYear, on_child), perm);
    EXPECT_EQ(Eff(User(kAlice), kInvoices, on_child), 0u);
    std::vector<AclEntry> on_grandchild = {ForGroup(30, kStaff, perm)};
    EXPECT_EQ(Eff(User(kAlice, {kStaff}), kPayroll, on_grandchild), 0u);
    EXPECT_EQ(Eff(User(kAlice, {kStaff}), kYear, on_grandchild), perm);
  }
}

TEST(AuthzTest, AdministratorsAndSystemHaveEverythingEvenAgainstAnExplicitNone) {
  std::vector<AclEntry> acl = {ForUser(10, kBob, 0), ForGroup(1, kStaff, 0)};
  for (const auto& path : {kRoot, kFinance, kPayroll, kYear, kLegal}) {
    EXPECT_EQ(Eff(Admin(), path, acl), kAllPerms);
    EXPECT_EQ(Eff(Principal::System(), path, acl), kAllPerms);
    EXPECT_EQ(Eff(Principal::System(), path, {}), kAllPerms);
  }
}

TEST(AuthzTest, NoEntriesMeansNoAccess) {
  for (const auto& path : {kRoot, kFinance, kYear}) EXPECT_EQ(Eff(User(kAlice), path, {}), 0u);
  EXPECT_EQ(Eff(User(kAlice), std::vector<Id>{}, {ForUser(1, kAlice, kAllPerms)}), 0u);
}

TEST(AuthzTest, TwoGroupsAtTheSameFolderUnion) {
  std::vector<AclEntry> acl = {ForGroup(10, kStaff, kList | kRead),
                               ForGroup(10, kAuditors, kList | kShare)};
  EXPECT_EQ(Eff(User(kAlice, {kStaff}), kYear, acl), kList | kRead);
  EXPECT_EQ(Eff(User(kAlice, {kAuditors}), kYear, acl), kList | kShare);
  EXPECT_EQ(Eff(User(kAlice, {kStaff, kAuditors}), kYear, acl), kList | kRead | kShare);
  EXPECT_EQ(Eff(User(kAlice, {kOthers}), kYear, acl), 0u);
}

TEST(AuthzTest, UserEntryBeatsGroupEntriesAtTheSameFolder) {
  std::vector<AclEntry> acl = {ForGroup(10, kStaff, kAllPerms), ForUser(10, kAlice, kList),
                               ForGroup(10, kAuditors, kWrite)};
  EXPECT_EQ(Eff(User(kAlice, {kStaff, kAuditors}), kPayroll, acl), kList);  // not a union
  EXPECT_EQ(Eff(User(kBob, {kStaff}), kPayroll, acl), kAllPerms);
  // Even an explicit "none" for the user beats the group at the same folder.
  std::vector<AclEntry> none = {ForGroup(10, kStaff, kAllPerms), ForUser(10, kAlice, 0)};
  EXPECT_EQ(Eff(User(kAlice, {kStaff}), kFinance, none), 0u);
}

TEST(AuthzTest, UserNoneOnChildOverridesGroupGrantOnParent) {
  std::vector<AclEntry> acl = {ForGroup(10, kStaff, kAllPerms), ForUser(20, kAlice, 0)};
  Principal alice = User(kAlice, {kStaff});
  EXPECT_EQ(Eff(alice, kFinance, acl), kAllPerms);
  EXPECT_EQ(Eff(alice, kInvoices, acl), kAllPerms);
  EXPECT_EQ(Eff(alice, kPayroll, acl), 0u);
  EXPECT_EQ(Eff(alice, kYear, acl), 0u);
  EXPECT_EQ(Eff(User(kBob, {kStaff}), kYear, acl), kAllPerms);  // others unaffected
}

TEST(AuthzTest, NearerGroupEntryOverridesFartherUserEntry) {
  std::vector<AclEntry> acl = {ForUser(10, kAlice, kAllPerms), ForGroup(20, kStaff, kList)};
  EXPECT_EQ(Eff(User(kAlice, {kStaff}), kYear, acl), kList);
  EXPECT_EQ(Eff(User(kAlice, {kStaff}), kFinance, acl), kAllPerms);
  // A group entry the user is not in is not "applicable" and decides nothing.
  EXPECT_EQ(Eff(User(kAlice), kYear, acl), kAllPerms);
}

TEST(AuthzTest, NearerEntryCanWidenAsWellAsNarrow) {
  std::vector<AclEntry> acl = {ForUser(10, kAlice, kList), ForGroup(30, kStaff, kList | kWrite)};
  EXPECT_EQ(Eff(User(kAlice, {kStaff}), kPayroll, acl), kList);
  EXPECT_EQ(Eff(User(kAlice, {kStaff}), kYear, acl), kList | kWrite);
}

TEST(AuthzTest, AUserEntryForIdZeroNeverMatchesAnyone) {
  std::vector<AclEntry> acl = {ForUser(10, 0, kAllPerms)};
  Principal nobody;
  EXPECT_EQ(Eff(nobody, kFinance, acl), 0u);
}

TEST(AuthzTest, EveryActionNeedsItsDocumentedPermission) {
  const std::pair<Action, uint32_t> table[] = {
      {Action::kList, kList},        {Action::kStat, kList},       {Action::kRead, kRead},
      {Action::kUpload, kWrite},     {Action::kMkdir, kWrite},     {Action::kRenameWithin, kWrite},
      {Action::kMoveOut, kDelete},   {Action::kMoveIn, kWrite},    {Action::kCopyFrom, kRead},
      {Action::kCopyTo, kWrite},     {Action::kDelete, kDelete},   {Action::kRestore, kWrite},
      {Action::kManageAcl, kManage}, {Action::kSetQuota, kManage},
  };
  static_assert(std::size(table) == static_cast<size_t>(Action::kSetQuota) + 1);
  for (const auto& [action, need] : table) {
    SCOPED_TRACE(static_cast<int>(action));
    EXPECT_EQ(RequiredPerms(action), need);
    EXPECT_TRUE(Allows(need, action));
    EXPECT_TRUE(Allows(kAllPerms, action));
    EXPECT_FALSE(Allows(kAllPerms & ~need, action));
    EXPECT_FALSE(Allows(0, action));
    for (uint32_t other : kEachPerm) {
      EXPECT_EQ(Allows(other, action), other == need);
    }
  }
  EXPECT_EQ(RequiredPerms(static_cast<Action>(999)), kAllPerms);  // unknown: fail closed
}

TEST(AuthzTest, ActionsThroughInheritanceAndOverride) {
  std::vector<AclEntry> acl = {ForGroup(10, kStaff, kList | kRead), ForUser(30, kAlice, kWrite)};
  Principal alice = User(kAlice, {kStaff});
  EXPECT_TRUE(Allows(Eff(alice, kPayroll, acl), Action::kRead));
  EXPECT_FALSE(Allows(Eff(alice, kPayroll, acl), Action::kUpload));
  EXPECT_TRUE(Allows(Eff(alice, kYear, acl), Action::kUpload));
  EXPECT_FALSE(Allows(Eff(alice, kYear, acl), Action::kRead));  // the user entry decides alone
}

TEST(AuthzTest, DeepGrantMakesExactlyItsAncestorsTraversable) {
  AccessView view(User(kAlice), {{ForUser(30, kAlice, kList | kRead), kYear}});
  EXPECT_TRUE(view.Traversable(kRoot));
  EXPECT_TRUE(view.Traversable(kFinance));
  EXPECT_TRUE(view.Traversable(kPayroll));
  EXPECT_FALSE(view.Traversable(kYear));  // not strictly below itself
  EXPECT_FALSE(view.Traversable(kInvoices));
  EXPECT_FALSE(view.Traversable(kLegal));
  EXPECT_TRUE(view.Visible(kFinance));
  EXPECT_TRUE(view.Visible(kPayroll));
  EXPECT_TRUE(view.Visible(kYear));
  EXPECT_FALSE(view.Visible(kInvoices));  // sibling on the way: hidden
  EXPECT_FALSE(view.Visible(kLegal));
  EXPECT_FALSE(view.Visible(std::vector<Id>{1, 10, 20, 31}));     // sibling of the grant
  EXPECT_TRUE(view.Visible(std::vector<Id>{1, 10, 20, 30, 40}));  // inherits list
  EXPECT_EQ(view.Effective(kPayroll), 0u);                        // traversable is not permission
  EXPECT_EQ(view.Effective(kYear), kList | kRead);
  EXPECT_EQ(view.principal().user_id, kAlice);
}

TEST(AuthzTest, ExplicitNoneOrNoListGrantMakesNothingTraversable) {
  AccessView none(User(kAlice), {{ForUser(30, kAlice, 0), kYear}});
  AccessView write_only(User(kAlice), {{ForUser(30, kAlice, kWrite | kRead), kYear}});
  for (const AccessView* v : {&none, &write_only}) {
    for (const auto& path : {kRoot, kFinance, kPayroll, kYear}) {
      EXPECT_FALSE(v->Traversable(path));
      EXPECT_FALSE(v->Visible(path));
    }
  }
}

TEST(AuthzTest, GroupGrantOverriddenBelowByUserNone) {
  AccessView view(User(kAlice, {kStaff}),
                  {{ForGroup(10, kStaff, kList), kFinance}, {ForUser(30, kAlice, 0), kYear}});
  EXPECT_TRUE(view.Visible(kFinance));
  EXPECT_TRUE(view.Visible(kPayroll));
  EXPECT_FALSE(view.Visible(kYear));
  EXPECT_FALSE(view.Traversable(kPayroll));  // the only grant below is the "none"
  EXPECT_TRUE(view.Traversable(kRoot));      // the group grant itself opens the way
}

TEST(AuthzTest, AdministratorsSeeEverything) {
  AccessView admin(Admin(), {});
  AccessView system(Principal::System(), {});
  for (const auto& path : {kRoot, kFinance, kYear, kLegal}) {
    EXPECT_TRUE(admin.Visible(path));
    EXPECT_TRUE(system.Visible(path));
    EXPECT_EQ(system.Effective(path), kAllPerms);
  }
}

TEST(PermsTest, ParsesWordsInAnyCaseWithCommasOrSpaces) {
  EXPECT_EQ(*ParsePerms("list,read"), kList | kRead);
  EXPECT_EQ(*ParsePerms("READ Write"), kRead | kWrite);
  EXPECT_EQ(*ParsePerms("list, read ,delete"), kList | kRead | kDelete);
  EXPECT_EQ(*ParsePerms("share manage"), kShare | kManage);
  EXPECT_EQ(*ParsePerms("all"), kAllPerms);
  EXPECT_EQ(*ParsePerms("ALL,list"), kAllPerms);
  EXPECT_EQ(*ParsePerms("none"), 0u);
  EXPECT_EQ(*ParsePerms("NONE"), 0u);
  EXPECT_EQ(*ParsePerms("list,,read,"), kList | kRead);
  EXPECT_EQ(*ParsePerms("read,read"), kRead);
}

TEST(PermsTest, RefusesUnknownEmptyAndContradictoryWords) {
  for (const char* bad : {"", ",", "  , ", "reed", "list;read", "none,read", "none none", "all\x01",
                          "read\twrite", "lists", "\xc3\xa9"}) {
    auto r = ParsePerms(bad);
    EXPECT_EQ(r.ok() ? Code::kOk : r.status().code(), Code::kInvalidArgument) << bad;
  }
  EXPECT_NE(ParsePerms("list,frobnicate").status().message().find("frobnicate"), std::string::npos);
  std::string ctl = ParsePerms("a\x1b[2J").status().message();
  for (char c : ctl) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << "echoed a control";
  EXPECT_FALSE(ParsePerms(std::string(1000, 'a')).ok());
}

TEST(PermsTest, TextRoundTripsForEverySet) {
  EXPECT_EQ(PermsToString(0), "none");
  EXPECT_EQ(PermsToString(kAllPerms), "list,read,write,delete,share,manage");
  EXPECT_EQ(PermsToString(kWrite | kList), "list,write");
  for (uint32_t p = 0; p <= kAllPerms; ++p) EXPECT_EQ(*ParsePerms(PermsToString(p)), p);
}

}  // namespace
}  // namespace coffer::service
