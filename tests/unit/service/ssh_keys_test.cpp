// SSH public keys: parsing and validation, who may manage whose keys, sign-in
// by key, and a key row forged straight into the database doing nothing.
#include <sqlite3.h>

#include "service/service_fixture.h"
#include "service/ssh_key_text.h"

namespace coffer::service {
namespace {

using testing::ServiceTest;

constexpr char kEd25519[] =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGj8TkTnZyewINYb4NolqpRJI3ZI5Furganx7zmWrd5K alice@laptop";
constexpr char kEd25519Fingerprint[] = "SHA256:J0Onj5rTU11Fp30oX7tIGs5ExcPyGkxOB+m6U8gdvqc";
constexpr char kEcdsa[] =
    "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBCQIV9xGnHKiXhEctY2kN"
    "lDP3nrxKaRoVKurzJ0T32Y9cetmMTPo3hI2ON0sxTYCvBkLhjPucIS1gGWU0Rhtk7Q= root@vm";
constexpr char kRsa1024[] =
    "ssh-rsa "
    "AAAAB3NzaC1yc2EAAAADAQABAAAAgQDdXpMcMxG0q7uutdtawS/Tzzr9P7hVYUD/i0yEPeQ4xAM9Ulq6zd8lIwp"
    "ICirpTNyk96rdTr4YqFwfVZOEAIHLuIHPBaey2YkINz+U28Wbg3cjShErzEx8FvxlLnOaFfPQcI3a23N3SOFBFR56BDwt"
    "qH9x0nXEanuC61dHO6W6xQ== root@vm";

TEST(SshKeyTextTest, ParsesKeysAndComputesOpenSshFingerprints) {
  auto k = ParseSshKeyText(kEd25519);
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(k->algorithm, "ssh-ed25519");
  EXPECT_EQ(k->fingerprint, kEd25519Fingerprint);  // as `ssh-keygen -lf` prints it
  EXPECT_EQ(k->comment, "alice@laptop");
  EXPECT_TRUE(ParseSshKeyText(kEcdsa).ok());
  EXPECT_TRUE(ParseSshKeyText(std::string("  ") + kEd25519 + "\r\n").ok());
}

TEST(SshKeyTextTest, RefusesWeakMalformedAndOptionKeys) {
  EXPECT_EQ(ParseSshKeyText(kRsa1024).status().code(), Code::kInvalidArgument);
  for (std::string bad :
       {std::string(""), std::string("ssh-ed25519"), std::string("ssh-ed25519 !!!notbase64"),
        std::string("ssh-dss AAAAB3NzaC1kc3MAAACBAP"),
        std::string("command=\"/bin/sh\" ") + kEd25519,
        std::string("ssh-rsa") + std::string(kEd25519).substr(11),
        std::string("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGj8"),
        std::string(kEd25519) + "\nssh-ed25519 AAAA", std::string(kEd25519) + " \x01"}) {
    EXPECT_FALSE(ParseSshKeyText(bad).ok()) << bad;
  }
  EXPECT_EQ(ParseSshKeyText(std::string(20000, 'a')).status().code(), Code::kLimitExceeded);
}

class SshKeysTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    AddUser("alice");
    AddUser("bob");
  }
  std::string Base64() { return ParseSshKeyText(kEd25519)->key_base64; }
};

TEST_F(SshKeysTest, UsersManageTheirOwnKeysAndAdminsAnyone) {
  Principal alice = User("alice"), bob = User("bob");
  ASSERT_TRUE(admin_->AddSshKey(alice, ctx_, "alice", kEd25519).ok());
  EXPECT_EQ(admin_->AddSshKey(alice, ctx_, "alice", kEd25519).status().code(),
            Code::kAlreadyExists);
  EXPECT_EQ(admin_->AddSshKey(bob, ctx_, "alice", kEcdsa).status().code(), Code::kPermissionDenied);
  EXPECT_EQ(admin_->ListSshKeys(bob, ctx_, "alice").status().code(), Code::kPermissionDenied);
  ASSERT_TRUE(admin_->AddSshKey(system_, ctx_, "bob", kEcdsa).ok());
  auto keys = admin_->ListSshKeys(alice, ctx_, "alice");
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].fingerprint, kEd25519Fingerprint);
  EXPECT_EQ(admin_->RemoveSshKey(bob, ctx_, "alice", kEd25519Fingerprint).code(),
            Code::kPermissionDenied);
  EXPECT_TRUE(admin_->RemoveSshKey(alice, ctx_, "alice", kEd25519Fingerprint).ok());
  EXPECT_EQ(admin_->RemoveSshKey(alice, ctx_, "alice", kEd25519Fingerprint).code(),
            Code::kNotFound);
}

TEST_F(SshKeysTest, KeySignInChecksUserKeyAndState) {
  ASSERT_TRUE(admin_->AddSshKey(system_, ctx_, "alice", kEd25519).ok());
  EXPECT_TRUE(admin_->KeyIsAuthorized("alice", "ssh-ed25519", Base64()));
  EXPECT_TRUE(admin_->KeyIsAuthorized("ALICE", "ssh-ed25519", Base64()));
  EXPECT_FALSE(admin_->KeyIsAuthorized("bob", "ssh-ed25519", Base64()));
  EXPECT_FALSE(admin_->KeyIsAuthorized("nobody", "ssh-ed25519", Base64()));
  EXPECT_FALSE(admin_->KeyIsAuthorized("alice", "ssh-rsa", Base64()));
  auto p = admin_->AuthenticateKey(ctx_, "alice", "ssh-ed25519", Base64());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->name, "alice");
  EXPECT_EQ(p->auth, AuthMethod::kPublicKey);
  EXPECT_GT((*admin_->ListSshKeys(system_, ctx_, "alice"))[0].last_used_at, 0);
  auto wrong_user = admin_->AuthenticateKey(ctx_, "bob", "ssh-ed25519", Base64());
  auto unknown = admin_->AuthenticateKey(ctx_, "nobody", "ssh-ed25519", Base64());
  EXPECT_EQ(wrong_user.status().code(), Code::kUnauthenticated);
  EXPECT_EQ(wrong_user.status().ToString(), unknown.status().ToString());
  ASSERT_TRUE(admin_->SetDisabled(system_, ctx_, "alice", true).ok());
  EXPECT_FALSE(admin_->KeyIsAuthorized("alice", "ssh-ed25519", Base64()));
  EXPECT_EQ(admin_->AuthenticateKey(ctx_, "alice", "ssh-ed25519", Base64()).status().code(),
            Code::kUnauthenticated);
}

TEST_F(SshKeysTest, AKeyInsertedStraightIntoTheDatabaseIsIgnoredAndRaisesAnAlert) {
  Close();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(config_.storage.database.c_str(), &db), SQLITE_OK);
  std::string sql =
      "INSERT INTO ssh_keys (user_id, algorithm, key_base64, fingerprint, comment, created_at,"
      " mac) SELECT id, 'ssh-ed25519', '" +
      Base64() + "', '" + kEd25519Fingerprint +
      "', 'injected', 1, 'forged' FROM users WHERE name = 'alice'";
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  Open();
  EXPECT_FALSE(admin_->KeyIsAuthorized("alice", "ssh-ed25519", Base64()));
  EXPECT_FALSE(admin_->AuthenticateKey(ctx_, "alice", "ssh-ed25519", Base64()).ok());
  auto records = admin_->ListActivity(system_, ctx_, "", 0, 100);
  ASSERT_TRUE(records.ok());
  bool alerted = false;
  for (const auto& r : *records) alerted |= r.action == "integrity.alert";
  EXPECT_TRUE(alerted);
}

}  // namespace
}  // namespace coffer::service
