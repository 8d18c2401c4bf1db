// The password policy: common passwords and their disguises refused, cracklib
// consulted, good passphrases accepted. (Generated passwords are random and not
// judged by it: cracklib calls some random strings "systematic".)
#include <gtest/gtest.h>
#include <sodium.h>

#include "service/passwords.h"

namespace coffer::service {
namespace {

TEST(PasswordPolicyTest, CommonPasswordsAndTheirDisguisesAreRefused) {
  for (const char* pw :
       {"password123456", "P@ssw0rd12345", "Summer2024!!!", "Welcome12345", "qwertyuiop",
        "!!Dragon99999", "1234567890123", "iloveyou2026", "Adm1n1strator"}) {
    EXPECT_FALSE(CheckPasswordPolicy(pw, "alice", 12).ok()) << pw;
  }
}

TEST(PasswordPolicyTest, CracklibIsConsulted) {
  auto st = CheckPasswordPolicy("aaaaaaaaaaaaaaaa", "alice", 12);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
}

TEST(PasswordPolicyTest, GoodPasswordsPass) {
  ASSERT_GE(sodium_init(), 0);
  for (const char* pw : {"correct-horse-battery-staple-42", "a long secret for A-1",
                         "xdzr54wdyep49skhq5px", "Mountain lake at 6am, foggy"}) {
    EXPECT_TRUE(CheckPasswordPolicy(pw, "alice", 12).ok()) << pw;
  }
}

TEST(PasswordPolicyTest, LengthAndUserName) {
  EXPECT_FALSE(CheckPasswordPolicy("short one", "alice", 12).ok());
  EXPECT_FALSE(CheckPasswordPolicy("xx-ALICE-mountain-77", "alice", 12).ok());
  EXPECT_FALSE(CheckPasswordPolicy(std::string(1025, 'x'), "alice", 12).ok());
}

}  // namespace
}  // namespace coffer::service
