#include "blob/pipelined_sha256.h"

#include <gtest/gtest.h>

#include <string>

#include "blob/blob_fixture.h"

namespace coffer::blob {
namespace {

TEST(PipelinedSha256Test, MatchesPlainSha256InlineAndOnTheHelper) {
  const size_t inline_limit = PipelinedSha256::kInlineBytes;
  const size_t sizes[] = {0, 1, inline_limit, inline_limit + 1, 3 * inline_limit + 12345};
  for (size_t size : sizes) {
    const std::string data = testing::RandomText(size, static_cast<uint32_t>(size));
    auto want = crypto::Sha256::Digest(AsBytes(data));
    ASSERT_TRUE(want.ok());
    for (size_t piece : {size_t{777}, size_t{1} << 20, size_t{3} << 20}) {
      PipelinedSha256 h;
      for (size_t off = 0; off < size; off += piece) {
        h.Update(AsBytes(std::string_view(data).substr(off, piece)));
      }
      auto got = h.Finish();
      ASSERT_TRUE(got.ok());
      EXPECT_EQ(*got, *want) << "size " << size << " piece " << piece;
    }
  }
}

TEST(PipelinedSha256Test, DroppingItUnfinishedStopsTheHelper) {
  PipelinedSha256 h;
  const std::string data = testing::RandomText(PipelinedSha256::kInlineBytes * 3, 5);
  h.Update(AsBytes(data));
}

}  // namespace
}  // namespace coffer::blob
