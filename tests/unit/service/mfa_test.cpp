// The TOTP second factor through the real service stack: enrolment, sign-in
// codes with the ±1 step window and replay refusal, recovery codes, policy,
// rows written straight into the database, and the fresh second factor that
// sensitive admin actions need.
#include "service/mfa.h"

#include <sqlite3.h>

#include "crypto/totp.h"
#include "service/passwords.h"
#include "service_fixture.h"

namespace coffer::service {
namespace {

using testing::kPassword;

class MfaTest : public testing::ServiceTest {
 protected:
  MfaService Mfa() {
    return MfaService(config_, *store_, *activity_, admin_->defender(), keyring_->row_mac_key());
  }
  int64_t Now() const { return now_us_.load() / 1000000; }
  void Advance(int64_t seconds) { now_us_ += seconds * 1000000; }
  std::string Code(const Bytes& seed, int64_t step_offset = 0) {
    return crypto::Hotp(seed, static_cast<uint64_t>(crypto::TotpStep(Now()) + step_offset));
  }
  // Enrols `name`; returns the seed and fills `recovery`.
  Bytes Enrol(const std::string& name, std::vector<std::string>* recovery = nullptr) {
    auto mfa = Mfa();
    auto e = mfa.BeginEnrolment(User(name), ctx_);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    if (!e.ok()) return {};
    auto seed = crypto::Base32Decode(e->secret_base32);
    auto codes = mfa.ConfirmEnrolment(User(name), ctx_, Code(*seed));
    EXPECT_TRUE(codes.ok()) << codes.status().ToString();
    if (recovery && codes.ok()) *recovery = *codes;
    return *seed;
  }
  void Sql(const std::string& sql) {
    Close();
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(config_.storage.database.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
    sqlite3_close(db);
    Open();
  }
  bool Recorded(const std::string& action, const std::string& result) {
    auto records = admin_->ListActivity(system_, ctx_, "", 0, 500);
    if (!records.ok()) return false;
    for (const auto& r : *records) {
      if (r.action == action && r.result == result) return true;
    }
    return false;
  }
};

TEST_F(MfaTest, EnrolmentGivesUriQrAndTenRecoveryCodes) {
  AddUser("alice");
  auto mfa = Mfa();
  EXPECT_EQ(*mfa.SecondFactorFor(User("alice")), SecondFactor::kNotNeeded);
  auto e = mfa.BeginEnrolment(User("alice"), ctx_);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->secret_base32.size(), 32u);
  EXPECT_EQ(e->otpauth_uri.rfind("otpauth://totp/Coffer:alice?secret=" + e->secret_base32, 0), 0u);
  EXPECT_EQ(e->qr_svg.rfind("<svg", 0), 0u);
  EXPECT_EQ(e->qr_svg.find("alice"), std::string::npos);  // no text of the URI in the markup
  auto seed = crypto::Base32Decode(e->secret_base32);
  EXPECT_EQ(mfa.ConfirmEnrolment(User("alice"), ctx_, "12345").status().code(),
            Code::kInvalidArgument);
  std::string wrong = Code(*seed) == "000000" ? "000001" : "000000";
  EXPECT_FALSE(mfa.ConfirmEnrolment(User("alice"), ctx_, wrong).ok());
  auto codes = mfa.ConfirmEnrolment(User("alice"), ctx_, Code(*seed));
  ASSERT_TRUE(codes.ok()) << codes.status().ToString();
  EXPECT_EQ(codes->size(), 10u);
  EXPECT_EQ(*mfa.SecondFactorFor(User("alice")), SecondFactor::kCode);
  EXPECT_EQ(mfa.BeginEnrolment(User("alice"), ctx_).status().code(), Code::kAlreadyExists);
  EXPECT_TRUE(Recorded("mfa.enrol.confirm", "ok"));
}

TEST_F(MfaTest, UnconfirmedEnrolmentExpires) {
  AddUser("alice");
  auto mfa = Mfa();
  auto e = mfa.BeginEnrolment(User("alice"), ctx_);
  ASSERT_TRUE(e.ok());
  Advance(kEnrolmentSeconds + 60);
  auto seed = crypto::Base32Decode(e->secret_base32);
  EXPECT_EQ(mfa.ConfirmEnrolment(User("alice"), ctx_, Code(*seed)).status().code(),
            Code::kFailedPrecondition);
}

TEST_F(MfaTest, CodesAreAcceptedOnceWithinOneStepEitherSide) {
  AddUser("alice");
  Bytes seed = Enrol("alice");
  auto mfa = Mfa();
  Principal first = User("alice");
  // The confirming code's step is used up.
  EXPECT_EQ(mfa.VerifySignIn(ctx_, first, Code(seed)).status().code(), Code::kUnauthenticated);
  Advance(31);
  auto p = mfa.VerifySignIn(ctx_, first, Code(seed));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(p->mfa);
  EXPECT_EQ(p->mfa_at, Now());
  Advance(2);
  EXPECT_FALSE(mfa.VerifySignIn(ctx_, first, Code(seed)).ok());     // replay
  EXPECT_FALSE(mfa.VerifySignIn(ctx_, first, Code(seed, 2)).ok());  // outside the window
  Advance(2);
  EXPECT_TRUE(mfa.VerifySignIn(ctx_, first, Code(seed, 1)).ok());  // the next step: clock skew
  Advance(2);
  EXPECT_FALSE(mfa.VerifySignIn(ctx_, first, Code(seed)).ok());  // older than one accepted
  Advance(90);  // two steps past the last accepted one
  EXPECT_TRUE(mfa.VerifySignIn(ctx_, first, Code(seed, -1)).ok());  // the previous step
  EXPECT_TRUE(Recorded("auth.mfa", "denied"));
}

TEST_F(MfaTest, WrongCodesCountAsFailedSignInsAndLockTheAccount) {
  AddUser("alice");
  Bytes seed = Enrol("alice");
  auto mfa = Mfa();
  Context remote{"sftp", "192.0.2.9", "s"};
  for (uint32_t i = 0; i < config_.security.lockout_failures; ++i) {
    Advance(int64_t{config_.security.failure_delay_max_seconds} + 1);
    EXPECT_FALSE(mfa.VerifySignIn(remote, User("alice"), "999999x").ok());
  }
  Advance(31);
  // Locked from that address: even the right code is refused there.
  EXPECT_EQ(mfa.VerifySignIn(remote, User("alice"), Code(seed)).status().code(),
            Code::kUnauthenticated);
}

TEST_F(MfaTest, RecoveryCodesWorkOnceAndAreStoredHashed) {
  AddUser("alice");
  std::vector<std::string> recovery;
  Enrol("alice", &recovery);
  auto mfa = Mfa();
  EXPECT_TRUE(mfa.VerifySignIn(ctx_, User("alice"), recovery[3]).ok());
  Advance(10);
  EXPECT_FALSE(mfa.VerifySignIn(ctx_, User("alice"), recovery[3]).ok());
  Advance(10);
  std::string upper = recovery[4];
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_TRUE(mfa.VerifySignIn(ctx_, User("alice"), upper).ok());  // case and dash ignored
  auto status = mfa.GetStatus(system_, ctx_, "alice");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->recovery_codes_left, 8);
}

TEST_F(MfaTest, TheSeedIsNotInTheDatabaseInClear) {
  AddUser("alice");
  Bytes seed = Enrol("alice");
  Close();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(config_.storage.database.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT sealed_secret FROM mfa_secrets", -1, &s, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  std::string stored(static_cast<const char*>(sqlite3_column_blob(s, 0)),
                     static_cast<size_t>(sqlite3_column_bytes(s, 0)));
  sqlite3_finalize(s);
  sqlite3_close(db);
  Open();
  EXPECT_EQ(stored.find(std::string(seed.begin(), seed.end())), std::string::npos);
  EXPECT_EQ(stored.find(crypto::Base32Encode(seed)), std::string::npos);
}

TEST_F(MfaTest, RowsWrittenWithSqlNeitherEnableNorDisableMfa) {
  AddUser("alice");
  AddUser("bob");
  Bytes seed = Enrol("alice");
  // A second factor forged for bob (who has none) does nothing.
  Sql("INSERT INTO mfa_secrets (user_id, sealed_secret, enabled, last_step, created_at,"
      " enabled_at, mac) SELECT id, x'00', 1, 0, 0, 0, 'forged' FROM users WHERE name = 'bob'");
  EXPECT_EQ(*Mfa().SecondFactorFor(User("bob")), SecondFactor::kNotNeeded);
  // Deleting alice's secret does not turn her second factor off: it fails closed.
  Sql("DELETE FROM mfa_secrets WHERE user_id = (SELECT id FROM users WHERE name = 'alice')");
  EXPECT_EQ(*Mfa().SecondFactorFor(User("alice")), SecondFactor::kCode);
  Advance(31);
  EXPECT_FALSE(Mfa().VerifySignIn(ctx_, User("alice"), Code(seed)).ok());
  auto status = Mfa().GetStatus(system_, ctx_, "alice");
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->enrolled);
  EXPECT_FALSE(status->secret_ok);
  // Clearing the flag in the users row breaks its MAC: alice is gone, not freed of MFA.
  Sql("UPDATE users SET mfa_enabled = 0 WHERE name = 'alice'");
  EXPECT_FALSE(admin_->PrincipalFor("alice").ok());
  EXPECT_FALSE(admin_->Authenticate(ctx_, "alice", kPassword).ok());
  EXPECT_TRUE(Recorded("integrity.alert", "error") || Recorded("integrity.alert", "ok") ||
              Recorded("integrity.alert", "denied"));
}

TEST_F(MfaTest, ForgedRecoveryCodesAreRefused) {
  AddUser("alice");
  Enrol("alice");
  Sql("INSERT INTO mfa_recovery_codes (user_id, code_hash, created_at, mac) SELECT id,"
      " 'aaaa', 0, 'forged' FROM users WHERE name = 'alice'");
  auto status = Mfa().GetStatus(system_, ctx_, "alice");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->recovery_codes_left, 10);
}

TEST_F(MfaTest, DisableNeedsACodeAndResetIsForAdministrators) {
  AddUser("alice");
  AddUser("bob");
  Bytes seed = Enrol("alice");
  auto mfa = Mfa();
  Advance(31);
  EXPECT_FALSE(mfa.Disable(User("alice"), ctx_, "000000x").ok());
  Advance(10);
  EXPECT_TRUE(mfa.Disable(User("alice"), ctx_, Code(seed)).ok());
  EXPECT_EQ(*mfa.SecondFactorFor(User("alice")), SecondFactor::kNotNeeded);
  Enrol("bob");
  EXPECT_EQ(mfa.Reset(User("alice"), ctx_, "bob").code(), Code::kPermissionDenied);
  EXPECT_EQ(mfa.GetStatus(User("alice"), ctx_, "bob").status().code(), Code::kPermissionDenied);
  EXPECT_TRUE(mfa.Reset(system_, ctx_, "bob").ok());
  EXPECT_EQ(*mfa.SecondFactorFor(User("bob")), SecondFactor::kNotNeeded);
  EXPECT_TRUE(Recorded("mfa.reset", "ok"));
}

TEST_F(MfaTest, PolicyRequiresAdministratorsByDefaultAndGroupsWhenSet) {
  NewUser root{"root", "", true, 0, std::string(kPassword)};
  ASSERT_TRUE(admin_->CreateUser(system_, ctx_, root).ok());
  AddUser("alice");
  auto mfa = Mfa();
  EXPECT_EQ(*mfa.SecondFactorFor(User("root")), SecondFactor::kMustEnrol);
  EXPECT_EQ(*mfa.SecondFactorFor(User("alice")), SecondFactor::kNotNeeded);
  ASSERT_TRUE(admin_->CreateGroup(system_, ctx_, "ops").ok());
  ASSERT_TRUE(admin_->AddMember(system_, ctx_, "ops", "alice").ok());
  ASSERT_TRUE(mfa.SetGroupRequired(system_, ctx_, "ops", true).ok());
  EXPECT_EQ(*mfa.SecondFactorFor(User("alice")), SecondFactor::kMustEnrol);
  ASSERT_TRUE(mfa.SetAdminsRequired(system_, ctx_, false).ok());
  EXPECT_EQ(*mfa.SecondFactorFor(User("root")), SecondFactor::kNotNeeded);
  auto policy = mfa.GetPolicy(system_, ctx_);
  ASSERT_TRUE(policy.ok());
  EXPECT_FALSE(policy->admins_required);
  EXPECT_EQ(policy->groups_required, std::vector<std::string>{"ops"});
  EXPECT_EQ(mfa.SetGroupRequired(system_, ctx_, "nope", true).code(), Code::kNotFound);
  // A forged policy row is ignored: administrators are required again.
  Sql("UPDATE settings SET value = '0', mac = 'forged' WHERE key = 'mfa.required.admins'");
  EXPECT_EQ(*Mfa().SecondFactorFor(User("root")), SecondFactor::kMustEnrol);
}

TEST_F(MfaTest, SensitiveAdminActionsNeedAFreshSecondFactor) {
  NewUser root{"root", "", true, 0, std::string(kPassword)};
  ASSERT_TRUE(admin_->CreateUser(system_, ctx_, root).ok());
  AddUser("alice");
  Folder("/A");
  Principal stale = User("root");  // signed in without a second factor
  NewUser second{"root2", "", true, 0, std::string(kPassword)};
  EXPECT_EQ(admin_->CreateUser(stale, ctx_, second).status().code(), Code::kPermissionDenied);
  EXPECT_EQ(admin_->SetAdmin(stale, ctx_, "alice", true).code(), Code::kPermissionDenied);
  EXPECT_EQ(admin_->Grant(stale, ctx_, "/A", "alice", 0x3f).code(), Code::kPermissionDenied);
  EXPECT_EQ(Mfa().SetAdminsRequired(stale, ctx_, false).code(), Code::kPermissionDenied);
  EXPECT_EQ(Mfa().Reset(stale, ctx_, "alice").code(), Code::kPermissionDenied);
  // An allow rule exempts addresses from every ban: it needs one too.
  auto allow = admin_->defender().AddRule(stale, ctx_, "192.0.2.0/24", true, "");
  EXPECT_EQ(allow.code(), Code::kPermissionDenied);
  EXPECT_EQ(allow.message(), kFreshSecondFactorNeeded);
  // Ordinary admin work does not need it.
  EXPECT_TRUE(admin_->Grant(stale, ctx_, "/A", "alice", 0x3).ok());
  EXPECT_TRUE(admin_->defender().AddRule(stale, ctx_, "198.51.100.0/24", false, "").ok());

  Principal fresh = stale;
  fresh.mfa = true;
  fresh.mfa_at = Now();
  EXPECT_TRUE(admin_->CreateUser(fresh, ctx_, second).ok());
  EXPECT_TRUE(Recorded("alert.admin.created", "ok"));
  EXPECT_TRUE(admin_->Grant(fresh, ctx_, "/A", "alice", 0x3f).ok());
  EXPECT_TRUE(admin_->defender().AddRule(fresh, ctx_, "192.0.2.0/24", true, "").ok());
  Advance(config_.mfa.fresh_seconds + 1);
  EXPECT_EQ(admin_->SetAdmin(fresh, ctx_, "alice", true).code(), Code::kPermissionDenied);
  fresh.mfa_at = Now();
  EXPECT_TRUE(admin_->SetAdmin(fresh, ctx_, "alice", true).ok());
  EXPECT_TRUE(User("alice").is_admin());
  // The local CLI is exempt.
  NewUser third{"root3", "", true, 0, std::string(kPassword)};
  EXPECT_TRUE(admin_->CreateUser(system_, ctx_, third).ok());
}

TEST_F(MfaTest, PasswordsAreRehashedWhenTheConfiguredCostChanges) {
  AddUser("alice");
  auto before = store_->GetUserByName("alice");
  ASSERT_TRUE(before.ok());
  EXPECT_NE(before->password_hash.find("$m=65536,t=2,"), std::string::npos);
  config_.accounts.argon2_opslimit = 3;
  config_.accounts.argon2_memlimit_kib = 8192;
  ASSERT_TRUE(admin_->Authenticate(ctx_, "alice", kPassword).ok());
  auto after = store_->GetUserByName("alice");
  ASSERT_TRUE(after.ok());
  EXPECT_NE(after->password_hash.find("$m=8192,t=3,"), std::string::npos) << after->password_hash;
  EXPECT_FALSE(NeedsRehash(after->password_hash, ParamsFrom(config_.accounts)));
  Advance(5);
  EXPECT_TRUE(admin_->Authenticate(ctx_, "alice", kPassword).ok());  // the new hash verifies
  EXPECT_FALSE(admin_->Authenticate(ctx_, "alice", "not the password").ok());
}

TEST(PasswordBenchmarkTest, StaysWithinTheMemoryBoundAndMeasures) {
  auto r = BenchmarkPasswordParams(20, 8192);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_LE(r->params.memlimit_bytes, uint64_t{8192} * 1024);
  EXPECT_GE(r->params.opslimit, 1u);
  EXPECT_GT(r->milliseconds, 0);
  EXPECT_FALSE(BenchmarkPasswordParams(5, 8192).ok());
  EXPECT_FALSE(BenchmarkPasswordParams(300, 1024).ok());
}

}  // namespace
}  // namespace coffer::service
