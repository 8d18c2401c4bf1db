// Accounts, groups, grants and sign-in through the admin service.
#include "service/passwords.h"
#include "service_fixture.h"

namespace coffer::service::testing {
namespace {

class AdminServiceTest : public ServiceTest {};

TEST_F(AdminServiceTest, AuthenticateAnswersTheSameForUnknownUserAndWrongPassword) {
  AddUser("alice");
  auto ok = admin_->Authenticate(ctx_, "alice", kPassword);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->name, "alice");
  auto wrong = admin_->Authenticate(ctx_, "alice", "nope");
  auto unknown = admin_->Authenticate(ctx_, "nobody", "nope");
  EXPECT_EQ(wrong.status().code(), Code::kUnauthenticated);
  EXPECT_EQ(unknown.status().code(), Code::kUnauthenticated);
  EXPECT_EQ(wrong.status().message(), unknown.status().message());
  ASSERT_TRUE(admin_->SetDisabled(system_, ctx_, "alice", true).ok());
  EXPECT_EQ(admin_->Authenticate(ctx_, "alice", kPassword).status().message(),
            unknown.status().message());
  auto log = store_->ListActivity({});
  EXPECT_EQ(log->front().action, "auth.password");
  EXPECT_EQ(log->front().result, "denied");
}

TEST_F(AdminServiceTest, PasswordsAreArgon2idAndNeverStoredInClear) {
  AddUser("bob");
  auto u = store_->GetUserByName("bob");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->password_hash.rfind("$argon2id$", 0), 0u);
  EXPECT_EQ(u->password_hash.find(kPassword), std::string::npos);
  auto generated = admin_->SetPassword(system_, ctx_, "bob", std::nullopt, true);
  ASSERT_TRUE(generated.ok());
  EXPECT_EQ(generated->size(), 20u);
  EXPECT_TRUE(store_->GetUserByName("bob")->must_change_password);
  EXPECT_TRUE(admin_->Authenticate(ctx_, "bob", *generated).ok());
}

TEST_F(AdminServiceTest, PasswordPolicy) {
  EXPECT_EQ(CheckPasswordPolicy("short", "x", 12).code(), Code::kInvalidArgument);
  EXPECT_EQ(CheckPasswordPolicy("my-name-is-Carol!", "carol", 12).code(), Code::kInvalidArgument);
  EXPECT_TRUE(CheckPasswordPolicy("twelve chars", "x", 12).ok());
  EXPECT_EQ(CheckPasswordPolicy(std::string(2000, 'a'), "x", 12).code(), Code::kLimitExceeded);
}

TEST_F(AdminServiceTest, NonAdministratorsAreRefusedAndRecorded) {
  AddUser("mallory");
  auto m = User("mallory");
  NewUser evil;
  evil.name = "evil";
  evil.admin = true;
  EXPECT_EQ(admin_->CreateUser(m, ctx_, evil).status().code(), Code::kPermissionDenied);
  EXPECT_EQ(admin_->ListUsers(m, ctx_).status().code(), Code::kPermissionDenied);
  EXPECT_EQ(admin_->CreateGroup(m, ctx_, "g").status().code(), Code::kPermissionDenied);
  EXPECT_EQ(admin_->CreateFolder(m, ctx_, "/X", 0).status().code(), Code::kPermissionDenied);
  EXPECT_EQ(store_->GetUserByName("evil").status().code(), Code::kNotFound);
  auto log = store_->ListActivity({});
  EXPECT_EQ(log->front().result, "denied");
  EXPECT_EQ(log->front().actor_name, "mallory");
}

TEST_F(AdminServiceTest, GroupGrantsApplyToMembersOnly) {
  Folder("/Shared");
  AddUser("ann");
  AddUser("ben");
  ASSERT_TRUE(admin_->CreateGroup(system_, ctx_, "team").ok());
  ASSERT_TRUE(admin_->AddMember(system_, ctx_, "team", "ann").ok());
  ASSERT_TRUE(admin_->Grant(system_, ctx_, "/Shared", "@team", kList | kRead | kWrite).ok());
  EXPECT_TRUE(Put(User("ann"), "/Shared/a", "a").ok());
  EXPECT_EQ(Put(User("ben"), "/Shared/b", "b").code(), Code::kNotFound);
  auto grants = admin_->ListGrants(system_, ctx_, "/Shared");
  ASSERT_TRUE(grants.ok());
  ASSERT_EQ(grants->size(), 1u);
  EXPECT_EQ((*grants)[0].subject, "@team");
  ASSERT_TRUE(admin_->RemoveMember(system_, ctx_, "team", "ann").ok());
  EXPECT_EQ(Put(User("ann"), "/Shared/c", "c").code(), Code::kNotFound);
}

TEST_F(AdminServiceTest, ManagersGrantButNotManage) {
  Folder("/P");
  AddUser("mgr");
  AddUser("guest");
  ASSERT_TRUE(admin_->Grant(system_, ctx_, "/P", "mgr", kList | kManage).ok());
  auto mgr = User("mgr");
  EXPECT_TRUE(admin_->Grant(mgr, ctx_, "/P", "guest", kList | kRead).ok());
  EXPECT_EQ(admin_->Grant(mgr, ctx_, "/P", "guest", kManage).code(), Code::kPermissionDenied);
  Folder("/Q");
  EXPECT_EQ(admin_->Grant(mgr, ctx_, "/Q", "guest", kRead).code(), Code::kNotFound);
}

TEST_F(AdminServiceTest, DeletingAUserRemovesTheirGrantsButNotFiles) {
  Folder("/D");
  AddUser("temp");
  ASSERT_TRUE(admin_->Grant(system_, ctx_, "/D", "temp", kList | kWrite).ok());
  ASSERT_TRUE(Put(User("temp"), "/D/left", "behind").ok());
  ASSERT_TRUE(admin_->DeleteUser(system_, ctx_, "temp").ok());
  EXPECT_TRUE(admin_->ListGrants(system_, ctx_, "/D")->empty());
  EXPECT_EQ(*Get(system_, "/D/left"), "behind");
  EXPECT_EQ(admin_->DeleteUser(system_, ctx_, "temp").code(), Code::kNotFound);
}

}  // namespace
}  // namespace coffer::service::testing
