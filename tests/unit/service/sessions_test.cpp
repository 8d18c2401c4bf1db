// Web sessions, API tokens and lockdown with a settable clock: time-outs, the
// session limit, scopes, forged rows, and lockdown of one user or everyone.
#include "service/sessions.h"

#include <sqlite3.h>

#include "crypto/sha256.h"
#include "service/service_fixture.h"

namespace coffer::service {
namespace {

using testing::kPassword;
using testing::ServiceTest;

class SessionTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    config_.accounts.session_idle_minutes = 30;
    config_.accounts.session_max_hours = 12;
    config_.accounts.max_web_sessions_per_user = 3;
    config_.accounts.max_tokens_per_user = 2;
    sessions_ = std::make_unique<SessionService>(config_, *store_, *activity_, *admin_);
    AddUser("alice");
    NewUser admin;
    admin.name = "root";
    admin.admin = true;
    admin.password = std::string(kPassword);
    ASSERT_TRUE(admin_->CreateUser(system_, ctx_, admin).ok());
  }
  void TearDown() override {
    sessions_.reset();
    ServiceTest::TearDown();
  }
  void Advance(int64_t seconds) { now_us_ += seconds * 1000000; }
  Context Web() { return {"https", "192.0.2.9", ""}; }
  NewSession SignIn(const std::string& name = "alice") {
    auto s = sessions_->SignIn(Web(), name, kPassword, "test agent");
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : NewSession();
  }
  bool Works(const std::string& id) { return sessions_->Resume(Web(), id).ok(); }

  std::unique_ptr<SessionService> sessions_;
};

TEST_F(SessionTest, ASessionResumesUntilIdleOrTooOld) {
  NewSession s = SignIn();
  EXPECT_EQ(s.id.size(), 43u);
  EXPECT_EQ(s.csrf, SessionService::CsrfFor(s.id));
  auto r = sessions_->Resume(Web(), s.id);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->principal.name, "alice");
  EXPECT_TRUE(r->by_session);
  Advance(29 * 60);
  EXPECT_TRUE(Works(s.id));
  Advance(31 * 60);  // idle for 31 minutes
  EXPECT_FALSE(Works(s.id));

  NewSession kept = SignIn();
  for (int i = 0; i < 12 * 4; ++i) {  // used every 15 minutes for 12 hours
    EXPECT_TRUE(Works(kept.id)) << i;
    Advance(15 * 60);
  }
  EXPECT_FALSE(Works(kept.id));
}

TEST_F(SessionTest, WrongPasswordAndUnknownUserFailAlike) {
  auto wrong = sessions_->SignIn(Web(), "alice", "not the password", "");
  auto unknown = sessions_->SignIn(Web(), "nobody", "not the password", "");
  ASSERT_FALSE(wrong.ok());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(wrong.status().code(), Code::kUnauthenticated);
  EXPECT_EQ(wrong.status().ToString(), unknown.status().ToString());
}

TEST_F(SessionTest, GarbageIdsAndSignOut) {
  for (const std::string& bad : std::vector<std::string>{
           "", "x", std::string(43, 'a'), std::string(43, '!'), std::string(1000, 'a')}) {
    EXPECT_FALSE(Works(bad)) << bad;
  }
  NewSession s = SignIn();
  ASSERT_TRUE(sessions_->SignOut(s.principal, Web(), s.id).ok());
  EXPECT_FALSE(Works(s.id));
}

TEST_F(SessionTest, TheOldestSessionEndsBeyondTheLimit) {
  NewSession first = SignIn();
  Advance(1);
  SignIn();
  Advance(1);
  SignIn();
  Advance(1);
  NewSession fourth = SignIn();
  EXPECT_FALSE(Works(first.id));
  EXPECT_TRUE(Works(fourth.id));
  auto list = sessions_->ListSessions(User("alice"), ctx_, "", fourth.id);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 3u);
  EXPECT_TRUE(list->front().current);
}

TEST_F(SessionTest, ASessionRowInsertedWithSqlOpensNothing) {
  std::string id(43, 'Q');
  auto hash = crypto::Sha256::Digest(AsBytes(id));
  ASSERT_TRUE(hash.ok());
  Close();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(config_.storage.database.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "INSERT INTO sessions (id_hash, user_id, created_at, expires_at,"
                               " last_seen_at, mfa_at, mfa_pending, address, user_agent, mac)"
                               " SELECT ?, id, 1800000000, 1900000000, 1800000000, 1800000000, 0,"
                               " '', '', 'forged' FROM users WHERE name = 'root'",
                               -1, &st, nullptr),
            SQLITE_OK);
  sqlite3_bind_blob(st, 1, hash->data(), 32, SQLITE_TRANSIENT);
  ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
  sqlite3_close(db);
  Open();
  sessions_ = std::make_unique<SessionService>(config_, *store_, *activity_, *admin_);
  EXPECT_FALSE(Works(id));
  auto alerts = store_->ListActivity(store::ActivityFilter{});
  ASSERT_TRUE(alerts.ok());
  bool alerted = false;
  for (const auto& a : *alerts) alerted |= a.action == "integrity.alert";
  EXPECT_TRUE(alerted);
}

TEST_F(SessionTest, TokensCarryScopesAndNeverMoreThanTheOwner) {
  Principal alice = User("alice");
  EXPECT_EQ(sessions_->CreateToken(alice, ctx_, "", "ci", kScopeAdmin, 0).status().code(),
            Code::kPermissionDenied);
  auto t = sessions_->CreateToken(alice, ctx_, "", "ci", kScopeRead, 30);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_TRUE(t->token.starts_with("cft_"));
  auto r = sessions_->ResumeToken(Web(), t->token);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->scopes, kScopeRead);
  EXPECT_FALSE(r->by_session);

  // An administrator's token without the admin scope acts as a plain user.
  Principal root = User("root");
  auto plain = sessions_->CreateToken(root, ctx_, "", "files", kScopeRead | kScopeWrite, 1);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(sessions_->ResumeToken(Web(), plain->token)->principal.is_admin());
  auto full = sessions_->CreateToken(root, ctx_, "", "admin", kAllScopes, 1);
  ASSERT_TRUE(full.ok());
  EXPECT_TRUE(sessions_->ResumeToken(Web(), full->token)->principal.is_admin());

  // Lifetime, limits and tampering.
  EXPECT_EQ(sessions_->CreateToken(alice, ctx_, "", "long", kScopeRead, 366).status().code(),
            Code::kInvalidArgument);
  ASSERT_TRUE(sessions_->CreateToken(alice, ctx_, "", "second", kScopeRead, 1).ok());
  EXPECT_EQ(sessions_->CreateToken(alice, ctx_, "", "third", kScopeRead, 1).status().code(),
            Code::kLimitExceeded);
  std::string altered = t->token;
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(sessions_->ResumeToken(Web(), altered).ok());
  Advance(31 * 86400);
  EXPECT_FALSE(sessions_->ResumeToken(Web(), t->token).ok());
}

TEST_F(SessionTest, RevokedTokensStopAndOthersCannotRevokeThem) {
  Principal alice = User("alice");
  auto t = sessions_->CreateToken(alice, ctx_, "", "ci", kScopeRead | kScopeWrite, 0);
  ASSERT_TRUE(t.ok());
  AddUser("bob");
  EXPECT_FALSE(sessions_->RevokeToken(User("bob"), ctx_, "alice", t->info.id).ok());
  EXPECT_EQ(sessions_->RevokeToken(User("bob"), ctx_, "", t->info.id).code(), Code::kNotFound);
  EXPECT_TRUE(sessions_->ResumeToken(Web(), t->token).ok());
  ASSERT_TRUE(sessions_->RevokeToken(alice, ctx_, "", t->info.id).ok());
  EXPECT_FALSE(sessions_->ResumeToken(Web(), t->token).ok());
}

TEST_F(SessionTest, LockdownRevokesEverythingAndRefusesSignInUntilLifted) {
  NewSession s = SignIn();
  auto t = sessions_->CreateToken(User("alice"), ctx_, "", "ci", kScopeRead, 0);
  ASSERT_TRUE(t.ok());
  NewSession root = SignIn("root");
  EXPECT_EQ(sessions_->Lockdown(User("alice"), ctx_, "alice").code(), Code::kPermissionDenied);

  ASSERT_TRUE(sessions_->Lockdown(system_, ctx_, "alice").ok());
  EXPECT_FALSE(Works(s.id));
  EXPECT_FALSE(sessions_->ResumeToken(Web(), t->token).ok());
  EXPECT_FALSE(sessions_->SignIn(Web(), "alice", kPassword, "").ok());
  EXPECT_TRUE(Works(root.id));  // others are untouched
  EXPECT_EQ(sessions_->GetLockdown(system_, ctx_)->users, std::vector<std::string>{"alice"});

  ASSERT_TRUE(sessions_->LiftLockdown(system_, ctx_, "alice").ok());
  EXPECT_TRUE(sessions_->SignIn(Web(), "alice", kPassword, "").ok());

  ASSERT_TRUE(sessions_->Lockdown(system_, ctx_, std::nullopt).ok());
  EXPECT_FALSE(Works(root.id));
  EXPECT_FALSE(sessions_->SignIn(Web(), "root", kPassword, "").ok());
  EXPECT_TRUE(sessions_->GetLockdown(system_, ctx_)->all);
  ASSERT_TRUE(sessions_->LiftLockdown(system_, ctx_, std::nullopt).ok());
  EXPECT_TRUE(sessions_->SignIn(Web(), "root", kPassword, "").ok());
}

}  // namespace
}  // namespace coffer::service
