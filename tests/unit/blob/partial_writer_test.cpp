// Partial blobs (resumable uploads): written across reopenings, durable in whole
// chunks, cut back to the durable offset after a crash, and finished into an
// ordinary blob whose SHA-256 is that of the plaintext.
#include <gtest/gtest.h>

#include <string>

#include "blob/blob_fixture.h"
#include "crypto/sha256.h"

namespace coffer::blob {
namespace {

using testing::BlobTest;
using testing::RandomText;
namespace fs = std::filesystem;

ByteSpan Span(const std::string& s, size_t from, size_t n) {
  return AsBytes(std::string_view(s).substr(from, n));
}

class PartialTest : public BlobTest {
 protected:
  fs::path PartialPath(const BlobId& id) const { return root_ / "partial" / id.Hex(); }

  void ExpectFinished(const PartialRef& p, PartialWriter& w, const std::string& data) {
    auto ref = w.Finish();
    ASSERT_TRUE(ref.ok()) << ref.status().ToString();
    EXPECT_EQ(ref->size, data.size());
    auto digest = crypto::Sha256::Digest(AsBytes(data));
    ASSERT_TRUE(digest.ok());
    EXPECT_EQ(ref->sha256, *digest);
    EXPECT_FALSE(fs::exists(PartialPath(p.id)));
    auto back = Get(*ref);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_TRUE(*back == data);
  }
};

TEST_F(PartialTest, SyncReportsWholeChunksAndResumesAfterReopen) {
  const size_t cs = options_.chunk_size;
  const std::string data = RandomText(5 * cs + 123, 7);
  auto p = store_->CreatePartial(data.size());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  {
    auto w = store_->OpenPartial(*p, 0);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    ASSERT_TRUE((*w)->Write(Span(data, 0, 2 * cs + 10)).ok());
    auto durable = (*w)->Sync();
    ASSERT_TRUE(durable.ok());
    EXPECT_EQ(*durable, 2 * cs);  // the 10 bytes of the third chunk are not kept
  }
  Reopen();  // as after a restart
  auto w = store_->OpenPartial(*p, 2 * cs);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ((*w)->bytes_written(), 2 * cs);
  EXPECT_FALSE((*w)->Finish().ok());  // not complete
  ASSERT_TRUE((*w)->Write(Span(data, 2 * cs, data.size())).ok());
  EXPECT_EQ((*w)->Write(Span(data, 0, 1)).code(), Code::kLimitExceeded);
  auto durable = (*w)->Sync();
  ASSERT_TRUE(durable.ok());
  EXPECT_EQ(*durable, data.size());
  ExpectFinished(*p, **w, data);
}

TEST_F(PartialTest, ReopeningCutsWhatWasWrittenAfterTheDurableOffset) {
  const size_t cs = options_.chunk_size;
  const std::string data = RandomText(4 * cs, 8);
  auto p = store_->CreatePartial(data.size());
  ASSERT_TRUE(p.ok());
  {
    auto w = store_->OpenPartial(*p, 0);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Write(Span(data, 0, 3 * cs)).ok());
    ASSERT_TRUE((*w)->Sync().ok());
  }
  // The store recorded only one chunk (the crash came before the rest was recorded).
  auto w = store_->OpenPartial(*p, cs);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(fs::file_size(PartialPath(p->id)), 32 + cs + 16);
  ASSERT_TRUE((*w)->Write(Span(data, cs, 3 * cs)).ok());
  ASSERT_TRUE((*w)->Sync().ok());
  ExpectFinished(*p, **w, data);
}

TEST_F(PartialTest, RefusesOffsetsThatAreNotDurablePoints) {
  const size_t cs = options_.chunk_size;
  auto p = store_->CreatePartial(3 * cs);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(store_->OpenPartial(*p, cs + 1).status().code(), Code::kIntegrity);
  EXPECT_EQ(store_->OpenPartial(*p, 4 * cs).status().code(), Code::kIntegrity);
  // Claims more than the file holds.
  EXPECT_EQ(store_->OpenPartial(*p, 2 * cs).status().code(), Code::kIntegrity);
}

TEST_F(PartialTest, EmptyAndExactMultipleSizes) {
  const size_t cs = options_.chunk_size;
  for (size_t size : {size_t{0}, size_t{1}, cs, 2 * cs}) {
    const std::string data = RandomText(size, static_cast<uint32_t>(size) + 1);
    auto p = store_->CreatePartial(size);
    ASSERT_TRUE(p.ok());
    auto w = store_->OpenPartial(*p, 0);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Write(AsBytes(data)).ok());
    auto durable = (*w)->Sync();
    ASSERT_TRUE(durable.ok());
    EXPECT_EQ(*durable, size);
    ExpectFinished(*p, **w, data);
  }
}

TEST_F(PartialTest, PartialsAreListedRemovedAndNeverSweptAsOrphans) {
  auto p = store_->CreatePartial(100);
  ASSERT_TRUE(p.ok());
  auto swept = store_->SweepOrphans([](const BlobId&) { return false; });
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 0u);
  auto listed = store_->ListPartials();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0], p->id);
  EXPECT_TRUE(store_->RemovePartial(p->id).ok());
  EXPECT_EQ(store_->RemovePartial(p->id).code(), Code::kNotFound);
  EXPECT_EQ(store_->OpenPartial(*p, 0).status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace coffer::blob
