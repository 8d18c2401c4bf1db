// The sign-in defender with a settable clock: networks, scores that fade, bans
// that grow, locks per address and in total, delays, rules, and the same
// answer for every refusal.
#include <sqlite3.h>

#include <set>

#include "service/defender.h"
#include "service/service_fixture.h"

namespace coffer::service {
namespace {

using testing::ServiceTest;

TEST(NetworkTest, CanonicalFormsAndMembership) {
  EXPECT_EQ(*CanonicalNetwork("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(*CanonicalNetwork("192.0.2.7/24"), "192.0.2.0/24");
  EXPECT_EQ(*CanonicalNetwork("2001:DB8::1/32"), "2001:db8::/32");
  EXPECT_EQ(*CanonicalNetwork("::1"), "::1");
  for (const char* bad : {"", "300.1.1.1", "1.2.3.4/33", "::1/129", "1.2.3.4/", "1.2.3.4/a",
                          "host.example", "1.2.3.4/8/8"}) {
    EXPECT_FALSE(CanonicalNetwork(bad).ok()) << bad;
  }
  EXPECT_TRUE(NetworkContains("10.0.0.0/8", "10.200.3.4"));
  EXPECT_FALSE(NetworkContains("10.0.0.0/8", "11.0.0.1"));
  EXPECT_TRUE(NetworkContains("0.0.0.0/0", "192.0.2.1"));
  EXPECT_FALSE(NetworkContains("::/0", "192.0.2.1"));  // families never mix
  EXPECT_FALSE(NetworkContains("10.0.0.0/8", "not an address"));
}

class DefenderTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    AddUser("alice");
  }
  Defender& d() { return admin_->defender(); }
  void Advance(int64_t seconds) { now_us_ += seconds * 1000000; }
  Context From(const std::string& address) { return {"sftp", address, "s"}; }
  int64_t BannedFor(const std::string& address) {
    auto bans = d().ListBans(system_, ctx_);
    for (const auto& b : *bans) {
      if (b.address == address) return b.banned_until - now_us_ / 1000000;
    }
    return 0;
  }
  Result<Principal> SignIn(const std::string& address, std::string_view password) {
    return admin_->Authenticate(From(address), "alice", password);
  }
};

TEST_F(DefenderTest, ScoresBanAndBansGrow) {
  for (int i = 0; i < 9; ++i) d().Record(From("192.0.2.1"), Offence::kFailedSignIn);
  EXPECT_TRUE(d().CheckAddress("192.0.2.1").ok());
  d().Record(From("192.0.2.1"), Offence::kFailedSignIn);
  EXPECT_EQ(d().CheckAddress("192.0.2.1").code(), Code::kPermissionDenied);
  EXPECT_EQ(BannedFor("192.0.2.1"), 900);
  EXPECT_TRUE(d().CheckAddress("192.0.2.2").ok());
  Advance(901);
  EXPECT_TRUE(d().CheckAddress("192.0.2.1").ok());
  for (int i = 0; i < 5; ++i) d().Record(From("192.0.2.1"), Offence::kUnknownUser);
  EXPECT_EQ(BannedFor("192.0.2.1"), 1800);  // the second ban lasts twice as long
}

TEST_F(DefenderTest, PointsFadeOverTheWindow) {
  for (int i = 0; i < 9; ++i) d().Record(From("192.0.2.1"), Offence::kFailedSignIn);
  Advance(900);
  d().Record(From("192.0.2.1"), Offence::kFailedSignIn);
  EXPECT_TRUE(d().CheckAddress("192.0.2.1").ok());
}

TEST_F(DefenderTest, AllowRulesNeverBanAndDenyRulesAlwaysRefuse) {
  ASSERT_TRUE(d().AddRule(system_, ctx_, "192.0.2.0/24", true, "office").ok());
  ASSERT_TRUE(d().AddRule(system_, ctx_, "198.51.100.7", false, "").ok());
  for (int i = 0; i < 50; ++i) d().Record(From("192.0.2.1"), Offence::kFailedSignIn);
  EXPECT_TRUE(d().CheckAddress("192.0.2.1").ok());
  EXPECT_EQ(d().CheckAddress("198.51.100.7").code(), Code::kPermissionDenied);
  EXPECT_EQ(d().AddRule(User("alice"), ctx_, "203.0.113.0/24", true, "").code(),
            Code::kPermissionDenied);
}

TEST_F(DefenderTest, DelaysThenALockForThatAddressOnly) {
  EXPECT_FALSE(SignIn("192.0.2.1", "wrong one").ok());
  // Within a second of a failure even the right password is refused unchecked.
  EXPECT_FALSE(SignIn("192.0.2.1", testing::kPassword).ok());
  Advance(10);
  EXPECT_TRUE(SignIn("192.0.2.1", testing::kPassword).ok());  // and a success resets
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(SignIn("192.0.2.1", "wrong one").ok());
    Advance(10);
  }
  EXPECT_FALSE(SignIn("192.0.2.1", testing::kPassword).ok());  // locked there
  EXPECT_TRUE(SignIn("192.0.2.9", testing::kPassword).ok());   // not here
  Advance(901);
  EXPECT_TRUE(SignIn("192.0.2.1", testing::kPassword).ok());  // the lock ran out
}

TEST_F(DefenderTest, ManyAddressesTogetherLockEverywhereUntilUnlocked) {
  for (int i = 0; i < 20; ++i) {
    EXPECT_FALSE(SignIn("192.0.2." + std::to_string(i + 1), "wrong one").ok());
  }
  Advance(10);
  EXPECT_FALSE(SignIn("203.0.113.1", testing::kPassword).ok());
  EXPECT_EQ(admin_->UnlockUser(User("alice"), ctx_, "alice").code(), Code::kPermissionDenied);
  ASSERT_TRUE(admin_->UnlockUser(system_, ctx_, "alice").ok());
  EXPECT_TRUE(SignIn("203.0.113.1", testing::kPassword).ok());
}

TEST_F(DefenderTest, EveryRefusalLooksTheSameAndTheRecordSaysWhy) {
  auto wrong = SignIn("192.0.2.1", "wrong one");
  auto unknown = admin_->Authenticate(From("192.0.2.2"), "nobody", "wrong one");
  ASSERT_TRUE(d().Ban(system_, ctx_, "192.0.2.3", 60).ok());
  auto banned = SignIn("192.0.2.3", testing::kPassword);
  auto delayed = SignIn("192.0.2.1", testing::kPassword);
  for (const auto* r : {&unknown, &banned, &delayed}) {
    EXPECT_EQ(r->status().ToString(), wrong.status().ToString());
  }
  auto records = admin_->ListActivity(system_, ctx_, "", 0, 50);
  std::set<std::string> details;
  for (const auto& r : *records) {
    if (r.action == "auth.password") details.insert(r.detail);
  }
  EXPECT_TRUE(details.count("address banned"));
  EXPECT_TRUE(details.count("too soon after a failure"));
}

TEST_F(DefenderTest, AnAllowRuleInsertedWithSqlIsIgnored) {
  Close();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(config_.storage.database.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "INSERT INTO ip_rules (network, allow, comment, created_at, mac)"
                         " VALUES ('0.0.0.0/0', 1, 'injected', 1, 'forged')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  Open();
  for (int i = 0; i < 10; ++i) d().Record(From("192.0.2.1"), Offence::kFailedSignIn);
  EXPECT_EQ(d().CheckAddress("192.0.2.1").code(), Code::kPermissionDenied);
}

}  // namespace
}  // namespace coffer::service
