#include "crypto/totp.h"

#include <gtest/gtest.h>

#include "crypto/field_sealer.h"

namespace coffer::crypto {
namespace {

// RFC 6238 Appendix B, the SHA-1 rows (8 digits; the seed is the ASCII string).
TEST(TotpTest, Rfc6238AppendixBSha1Vectors) {
  const std::string seed = "12345678901234567890";
  const struct {
    int64_t time;
    const char* code;
  } rows[] = {{59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
              {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"}};
  for (const auto& row : rows) {
    EXPECT_EQ(Hotp(AsBytes(seed), static_cast<uint64_t>(TotpStep(row.time)), 8), row.code)
        << row.time;
  }
}

// RFC 4226 Appendix D: HOTP values 0..2 (6 digits), and the 6-digit TOTP form.
TEST(TotpTest, Rfc4226HotpVectorsAndSixDigits) {
  const std::string seed = "12345678901234567890";
  EXPECT_EQ(Hotp(AsBytes(seed), 0), "755224");
  EXPECT_EQ(Hotp(AsBytes(seed), 1), "287082");
  EXPECT_EQ(Hotp(AsBytes(seed), 9), "520489");
  EXPECT_EQ(TotpStep(59), 1);
  EXPECT_EQ(TotpStep(-5), 0);
}

TEST(TotpTest, Base32RoundTripAndRfc4648Vectors) {
  EXPECT_EQ(Base32Encode(AsBytes("foobar")), "MZXW6YTBOI");
  EXPECT_EQ(Base32Encode(AsBytes("f")), "MY");
  auto d = Base32Decode("mzxw6ytboi======");
  ASSERT_TRUE(d);
  EXPECT_EQ(std::string(d->begin(), d->end()), "foobar");
  EXPECT_FALSE(Base32Decode("MZXW1"));  // '1' is not in the alphabet
  Bytes twenty(20, 0xA5);
  auto back = Base32Decode(Base32Encode(twenty));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, twenty);
}

TEST(FieldSealerTest, SealedValuesOpenOnlyWithTheirKeyAndAssociatedData) {
  SecretKey master = SecretKey::Random();
  FieldSealer sealer(master, "cofr-mfa");
  Bytes seed(20, 7);
  Bytes sealed = sealer.Seal(seed, "row|1");
  auto opened = sealer.Open(sealed, "row|1");
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, seed);
  EXPECT_EQ(sealer.Open(sealed, "row|2").status().code(), Code::kIntegrity);  // moved row
  FieldSealer other(master, "otherpur");
  EXPECT_EQ(other.Open(sealed, "row|1").status().code(), Code::kIntegrity);  // other purpose
  sealed[30] ^= 1;
  EXPECT_EQ(sealer.Open(sealed, "row|1").status().code(), Code::kIntegrity);  // altered
  EXPECT_EQ(sealer.KeyedHash("abc"), sealer.KeyedHash("abc"));
  EXPECT_NE(sealer.KeyedHash("abc"), other.KeyedHash("abc"));
  EXPECT_EQ(sealer.KeyedHash("abc").size(), 64u);
}

}  // namespace
}  // namespace coffer::crypto
