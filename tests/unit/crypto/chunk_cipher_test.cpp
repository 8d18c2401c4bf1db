#include "crypto/chunk_cipher.h"

#include <gtest/gtest.h>

#include <string>

namespace coffer::crypto {
namespace {

Bytes Seal(ChunkCipher& c, uint64_t counter, std::string_view aad, std::string_view plain) {
  Bytes out(plain.size() + ChunkCipher::kTagSize);
  EXPECT_TRUE(c.Seal(counter, AsBytes(aad), AsBytes(plain), out).ok());
  return out;
}

Result<std::string> Open(ChunkCipher& c, uint64_t counter, std::string_view aad,
                         const Bytes& sealed) {
  std::string out(sealed.size() - ChunkCipher::kTagSize, 'x');
  Status s =
      c.Open(counter, AsBytes(aad), sealed, {reinterpret_cast<uint8_t*>(out.data()), out.size()});
  if (!s.ok()) {
    EXPECT_EQ(out, std::string(out.size(), '\0')) << "failed open must not leave plaintext";
    return s;
  }
  return out;
}

// McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 13 and 14:
// zero key, zero 96-bit IV (our counter 0).
TEST(ChunkCipherTest, MatchesPublishedAesGcmVectors) {
  auto c = ChunkCipher::Create(SecretKey());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(ToHex(Seal(*c, 0, "", "")), "530f8afbc74536b9a963b4f1c4cb738b");
  EXPECT_EQ(ToHex(Seal(*c, 0, "", std::string(16, '\0'))),
            "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919");
}

TEST(ChunkCipherTest, RoundTripReusingOneObject) {
  auto c = ChunkCipher::Create(SecretKey::Random());
  ASSERT_TRUE(c.ok());
  for (uint64_t i = 0; i < 50; ++i) {
    std::string plain(i * 13, static_cast<char>(i));
    Bytes sealed = Seal(*c, i, "aad" + std::to_string(i), plain);
    auto back = Open(*c, i, "aad" + std::to_string(i), sealed);
    ASSERT_TRUE(back.ok()) << i;
    EXPECT_EQ(*back, plain);
  }
}

TEST(ChunkCipherTest, AnyChangeFailsWithIntegrity) {
  auto c = ChunkCipher::Create(SecretKey::Random());
  ASSERT_TRUE(c.ok());
  const Bytes sealed = Seal(*c, 7, "header", "some plaintext bytes");
  EXPECT_EQ(Open(*c, 8, "header", sealed).status().code(), Code::kIntegrity);
  EXPECT_EQ(Open(*c, 7, "headeR", sealed).status().code(), Code::kIntegrity);
  for (size_t i = 0; i < sealed.size(); ++i) {
    Bytes bad = sealed;
    bad[i] ^= 0x01;
    EXPECT_EQ(Open(*c, 7, "header", bad).status().code(), Code::kIntegrity) << i;
  }
  Bytes short_one(sealed.begin(), sealed.end() - 1);
  EXPECT_EQ(Open(*c, 7, "header", short_one).status().code(), Code::kIntegrity);
  auto other = ChunkCipher::Create(SecretKey::Random());
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(Open(*other, 7, "header", sealed).status().code(), Code::kIntegrity);
  EXPECT_TRUE(Open(*c, 7, "header", sealed).ok());  // a failure leaves the context usable
}

}  // namespace
}  // namespace coffer::crypto
