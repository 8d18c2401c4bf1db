#include "crypto/sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace coffer::crypto {
namespace {

std::string Hex(const Result<Sha256Digest>& d) { return d.ok() ? ToHex(*d) : "error"; }

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Hex(Sha256::Digest({})),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(Sha256::Digest(AsBytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Test, StreamingMatchesOneShotForEverySplit) {
  std::string text;
  for (int i = 0; i < 300; ++i) text.push_back(static_cast<char>('a' + i % 26));
  const std::string whole = Hex(Sha256::Digest(AsBytes(text)));
  Sha256 h;
  for (size_t split = 0; split <= text.size(); split += 7) {
    h.Update(AsBytes(std::string_view(text).substr(0, split)));
    h.Update(AsBytes(std::string_view(text).substr(split)));
    EXPECT_EQ(Hex(h.Finish()), whole) << split;  // Finish also resets
  }
}

}  // namespace
}  // namespace coffer::crypto
