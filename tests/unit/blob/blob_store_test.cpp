#include "blob/blob_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>

#include "blob/blob_fixture.h"
#include "blob/blob_format.h"
#include "crypto/sha256.h"

namespace coffer::blob {
namespace {

using testing::BlobTest;
using testing::RandomText;
namespace fs = std::filesystem;

TEST_F(BlobTest, RoundTripsEverySizeAroundTheChunkSize) {
  const size_t cs = options_.chunk_size;
  const size_t sizes[] = {0, 1, cs - 1, cs, cs + 1, 2 * cs, 3 * cs - 1, 5 * 1024 * 1024 + 123};
  uint32_t seed = 1;
  for (size_t size : sizes) {
    const std::string data = RandomText(size, seed++);
    for (size_t piece : {size_t{1000}, cs, size_t{1} << 20}) {
      if (piece == 1000 && size > 100000) continue;
      auto ref = Put(data, piece);
      ASSERT_TRUE(ref.ok()) << ref.status().ToString();
      EXPECT_EQ(ref->size, size);
      EXPECT_EQ(ref->chunk_size, cs);
      EXPECT_EQ(ref->key.key_id, keyring_->current_id());
      auto digest = crypto::Sha256::Digest(AsBytes(data));
      ASSERT_TRUE(digest.ok());
      EXPECT_EQ(ref->sha256, *digest);
      auto layout = format::Layout::For(size, cs);
      ASSERT_TRUE(layout.ok());
      EXPECT_EQ(fs::file_size(PathOf(ref->id)), layout->file_size());
      for (size_t read_piece : {size_t{777}, cs, size_t{1} << 20}) {
        auto back = Get(*ref, read_piece);
        ASSERT_TRUE(back.ok()) << size << ": " << back.status().ToString();
        EXPECT_TRUE(*back == data) << "size " << size << " read piece " << read_piece;
      }
    }
  }
}

TEST_F(BlobTest, DefaultChunkSizeWithSeveralMiB) {
  options_ = BlobStoreOptions();
  Reopen();
  const std::string data = RandomText(7 * 1024 * 1024 + 5, 42);
  auto ref = Put(data, 300000);
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref->chunk_size, 64u * 1024);
  auto back = Get(*ref);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(*back == data);
}

TEST_F(BlobTest, RangeReadsAcrossEveryChunkBoundary) {
  options_.chunk_size = 64;
  Reopen();
  const std::string data = RandomText(64 * 20 + 7, 3);
  auto ref = Put(data, 50);
  ASSERT_TRUE(ref.ok());
  auto reader = store_->Open(*ref);
  ASSERT_TRUE(reader.ok());
  std::string buf(400, '\0');
  auto read = [&](uint64_t off, size_t len) -> std::string {
    auto n = (*reader)->ReadAt(off, {reinterpret_cast<uint8_t*>(buf.data()), len});
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? buf.substr(0, *n) : "<error>";
  };
  for (uint64_t b = 0; b <= data.size(); b += 64) {
    for (uint64_t start = b >= 3 ? b - 3 : 0; start <= b + 3 && start <= data.size(); ++start) {
      for (size_t len : {1, 2, 5, 63, 64, 65, 128, 129, 200, 400}) {
        std::string want = start < data.size() ? data.substr(start, len) : "";
        ASSERT_EQ(read(start, len), want) << "offset " << start << " length " << len;
      }
    }
  }
  // Random access in no order, reusing the reader's cached chunk or not.
  std::mt19937 rng(9);
  for (int i = 0; i < 2000; ++i) {
    uint64_t off = rng() % (data.size() + 10);
    size_t len = 1 + rng() % 400;
    std::string want = off < data.size() ? data.substr(off, len) : "";
    ASSERT_EQ(read(off, len), want) << off << " " << len;
  }
  EXPECT_EQ((*reader)->size(), data.size());
  EXPECT_EQ(read(data.size(), 10), "");
  EXPECT_EQ(read(uint64_t{1} << 62, 10), "");
}

TEST_F(BlobTest, WriterRefusesUseAfterFinishAndEnforcesTheLimit) {
  options_.max_blob_bytes = 100;
  Reopen();
  auto w = store_->Create();
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Write(AsBytes(std::string(60, 'a'))).ok());
  EXPECT_EQ((*w)->Write(AsBytes(std::string(41, 'a'))).code(), Code::kLimitExceeded);
  ASSERT_TRUE((*w)->Write(AsBytes(std::string(40, 'a'))).ok());
  EXPECT_EQ((*w)->bytes_written(), 100u);
  auto ref = (*w)->Finish();
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref->size, 100u);
  EXPECT_EQ((*w)->Finish().status().code(), Code::kFailedPrecondition);
  EXPECT_EQ((*w)->Write(AsBytes("x")).code(), Code::kFailedPrecondition);
}

TEST_F(BlobTest, RejectsChunkSizesOutOfRange) {
  for (uint32_t cs : {0u, 63u, 16u * 1024 * 1024 + 1}) {
    EXPECT_EQ(OpenLocalBlobStore(root_.string(), *keyring_, {.chunk_size = cs}).status().code(),
              Code::kInvalidArgument);
  }
}

TEST_F(BlobTest, AnAbandonedWriterLeavesNothing) {
  {
    auto w = store_->Create();
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Write(AsBytes(RandomText(3 * 1024 * 1024, 5))).ok());
  }
  EXPECT_TRUE(Files().empty());
}

TEST_F(BlobTest, RemoveDeletesAndReportsMissing) {
  auto ref = Put("content");
  ASSERT_TRUE(ref.ok());
  ASSERT_TRUE(store_->Remove(ref->id).ok());
  EXPECT_FALSE(fs::exists(PathOf(ref->id)));
  EXPECT_EQ(store_->Remove(ref->id).code(), Code::kNotFound);
  EXPECT_EQ(store_->Open(*ref).status().code(), Code::kNotFound);
}

TEST_F(BlobTest, SweepRemovesTemporariesAndUnreferencedBlobsOnly) {
  auto keep = Put("keep me");
  auto drop = Put("drop me");
  ASSERT_TRUE(keep.ok() && drop.ok());
  testing::WriteFile(root_ / "tmp" / "0123456789abcdef0123456789abcdef.tmp", "partial");
  testing::WriteFile(root_ / "objects" / "README", "not a blob");
  auto removed = store_->SweepOrphans([&](const BlobId& id) { return id == keep->id; });
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(*removed, 2u);
  EXPECT_TRUE(Get(*keep).ok());
  EXPECT_FALSE(fs::exists(PathOf(drop->id)));
  EXPECT_TRUE(fs::is_empty(root_ / "tmp"));
  EXPECT_TRUE(fs::exists(root_ / "objects" / "README"));  // not ours: left alone
}

TEST_F(BlobTest, BlobIdHexRoundTripAndStrictParsing) {
  BlobId id = BlobId::Random();
  auto back = BlobId::FromHex(id.Hex());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, id);
  std::string upper = id.Hex();
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  if (upper != id.Hex()) {
    EXPECT_FALSE(BlobId::FromHex(upper).ok());
  }
  EXPECT_FALSE(BlobId::FromHex(id.Hex().substr(1)).ok());
  EXPECT_FALSE(BlobId::FromHex("../" + id.Hex().substr(3)).ok());
  EXPECT_NE(BlobId::Random(), BlobId::Random());
}

// Invariant 6 from the storage side: no plaintext, in any form, under the root.
TEST_F(BlobTest, PlaintextMarkerAppearsNowhereUnderTheRoot) {
  const std::string marker = "COFFER-PLAINTEXT-MARKER-7f3a";
  std::string data;
  for (int i = 0; i < 5000; ++i) data += marker;
  ASSERT_TRUE(Put(marker).ok());
  ASSERT_TRUE(Put(data).ok());
  auto w = store_->Create();  // an unfinished temporary too
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Write(AsBytes(data)).ok());
  size_t files = 0;
  for (const auto& path : Files()) {
    ++files;
    EXPECT_EQ(testing::ReadFile(path).find(marker), std::string::npos) << path;
    EXPECT_EQ(path.string().find("MARKER"), std::string::npos);
  }
  EXPECT_EQ(files, 3u);
}

TEST_F(BlobTest, ConcurrentWritersAndReaders) {
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const std::string data = RandomText(200000 + t, t);
      auto ref = Put(data, 4000);
      if (!ref.ok()) return;
      auto back = Get(*ref, 3000);
      if (back.ok() && *back == data) ++good;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 4);
}

}  // namespace
}  // namespace coffer::blob
