// Base64, digest fields and entity tags.
#include <gtest/gtest.h>

#include "http/digest.h"

namespace coffer::http {
namespace {

TEST(Base64, RoundTripsAndIsStrict) {
  std::string in = "any carnal pleas";
  for (size_t n = 0; n <= in.size(); ++n) {
    auto enc = Base64Encode(reinterpret_cast<const uint8_t*>(in.data()), n);
    auto dec = Base64Decode(enc);
    ASSERT_TRUE(dec) << enc;
    EXPECT_EQ(*dec, in.substr(0, n));
  }
  EXPECT_FALSE(Base64Decode("YQ"));
  EXPECT_FALSE(Base64Decode("YR=="));  // non-canonical
  EXPECT_FALSE(Base64Decode("Y=Q="));
  EXPECT_FALSE(Base64Decode("YQ==YQ=="));
}

TEST(Digest, ParsesSha256AndIgnoresOthers) {
  Sha256 d{};
  d[0] = 1;
  auto f = ParseDigestField("sha-512=:AAAA:, " + ReprDigestValue(d));
  EXPECT_FALSE(f.malformed);
  ASSERT_TRUE(f.sha256);
  EXPECT_EQ(*f.sha256, d);
  EXPECT_FALSE(ParseDigestField("md5=:AAAA:").sha256);
  EXPECT_TRUE(ParseDigestField("sha-256=:AAAA:").malformed);
  EXPECT_TRUE(ParseDigestField("sha-256=abc").malformed);
  EXPECT_TRUE(ParseDigestField("garbage").malformed);
  EXPECT_TRUE(ParseDigestField(std::string(2000, 'a')).malformed);
}

TEST(Etag, StrongAndWeakComparison) {
  EXPECT_TRUE(EtagListMatches("\"a\", \"b\"", "\"b\"", false, false));
  EXPECT_TRUE(EtagListMatches("*", "\"b\"", true, true));
  EXPECT_FALSE(EtagListMatches("*", "\"b\"", false, false));
  EXPECT_TRUE(EtagListMatches("W/\"b\"", "\"b\"", false, true));
  EXPECT_FALSE(EtagListMatches("W/\"b\"", "\"b\"", false, false));
}

}  // namespace
}  // namespace coffer::http
