// Every way of changing a stored blob or its reference must end in kIntegrity
// (or kNotFound for a missing file), never in wrong bytes.
#include <gtest/gtest.h>

#include <string>

#include "blob/blob_fixture.h"
#include "blob/blob_format.h"

namespace coffer::blob {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::WriteFile;

class BlobTamperTest : public testing::BlobTest {
 protected:
  void SetUp() override {
    options_.chunk_size = 64;
    BlobTest::SetUp();
    data_ = testing::RandomText(64 * 5 + 10, 11);  // six chunks, the last one short
    auto ref = Put(data_, 100);
    ASSERT_TRUE(ref.ok());
    ref_ = *ref;
    path_ = PathOf(ref_.id);
    good_ = ReadFile(path_);
    ASSERT_TRUE(Get(ref_).ok());
  }

  // Reads with a given ref, in small and in large pieces; both must fail.
  void ExpectIntegrityError(const BlobRef& ref, const std::string& what) {
    for (size_t piece : {size_t{50}, size_t{1} << 20}) {
      auto got = Get(ref, piece);
      ASSERT_FALSE(got.ok()) << what << " (read piece " << piece << ")";
      EXPECT_EQ(got.status().code(), Code::kIntegrity) << what << ": " << got.status().ToString();
    }
  }
  void ExpectFileRejected(const std::string& bytes, const std::string& what) {
    WriteFile(path_, bytes);
    ExpectIntegrityError(ref_, what);
    WriteFile(path_, good_);
  }

  std::string data_;
  BlobRef ref_;
  fs::path path_;
  std::string good_;
};

TEST_F(BlobTamperTest, EveryFlippedBitAnywhereIsDetected) {
  for (size_t i = 0; i < good_.size(); ++i) {
    for (uint8_t bit : {0x01, 0x80}) {
      std::string bad = good_;
      bad[i] = static_cast<char>(bad[i] ^ bit);
      ExpectFileRejected(bad, "byte " + std::to_string(i));
    }
  }
  ASSERT_TRUE(Get(ref_).ok());
}

TEST_F(BlobTamperTest, TruncationAtEveryLengthIsDetected) {
  for (size_t len = 0; len < good_.size(); ++len) {
    ExpectFileRejected(good_.substr(0, len), "truncated to " + std::to_string(len));
  }
}

TEST_F(BlobTamperTest, ExtensionIsDetected) {
  ExpectFileRejected(good_ + "x", "one byte appended");
  ExpectFileRejected(good_ + std::string(16, '\0'), "an empty tag appended");
  const size_t last = format::kHeaderSize + 5 * (64 + 16);
  ExpectFileRejected(good_ + good_.substr(last), "the last chunk repeated");
}

// Metadata tampering: the ref is the other half of what the reader trusts.
TEST_F(BlobTamperTest, ChangedReferencesAreDetected) {
  for (uint64_t size :
       {uint64_t{0}, uint64_t{1}, ref_.size - 1, ref_.size + 1, uint64_t{320}, uint64_t{1} << 60}) {
    BlobRef bad = ref_;
    bad.size = size;
    ExpectIntegrityError(bad, "size " + std::to_string(size));
  }
  for (uint32_t cs : {0u, 32u, 128u, 65u}) {
    BlobRef bad = ref_;
    bad.chunk_size = cs;
    ExpectIntegrityError(bad, "chunk size " + std::to_string(cs));
  }
  for (size_t i = 0; i < ref_.key.wrapped.size(); ++i) {
    BlobRef bad = ref_;
    bad.key.wrapped[i] ^= 0x04;
    ExpectIntegrityError(bad, "wrapped key byte " + std::to_string(i));
  }
  BlobRef bad = ref_;
  bad.key.key_id = 7;
  ExpectIntegrityError(bad, "unknown key id");
}

// Dropping the last chunk and shrinking the recorded size to match still fails:
// the new last chunk was not sealed as last.
TEST_F(BlobTamperTest, TruncationAtAChunkBoundaryWithAMatchingSizeIsDetected) {
  BlobRef shorter = ref_;
  shorter.size = 64 * 5;
  WriteFile(path_, good_.substr(0, format::kHeaderSize + 5 * (64 + 16)));
  ExpectIntegrityError(shorter, "last chunk dropped");
}

TEST_F(BlobTamperTest, ReorderedChunksAreDetected) {
  const size_t stride = 64 + 16;
  std::string bad = good_;
  const size_t a = format::kHeaderSize + stride, b = format::kHeaderSize + 2 * stride;
  bad.replace(a, stride, good_.substr(b, stride));
  bad.replace(b, stride, good_.substr(a, stride));
  ExpectFileRejected(bad, "chunks 1 and 2 swapped");
}

TEST_F(BlobTamperTest, SwappedBlobFilesAreDetected) {
  auto other = Put(testing::RandomText(data_.size(), 12), 100);
  ASSERT_TRUE(other.ok());
  const std::string other_bytes = ReadFile(PathOf(other->id));
  ASSERT_EQ(other_bytes.size(), good_.size());
  WriteFile(PathOf(other->id), good_);
  WriteFile(path_, other_bytes);
  ExpectIntegrityError(ref_, "this blob's file holds the other blob");
  ExpectIntegrityError(*other, "the other blob's file holds this blob");

  // Same id in the header (copied from the genuine file), chunks from the other blob.
  std::string mixed =
      good_.substr(0, format::kHeaderSize) + other_bytes.substr(format::kHeaderSize);
  ExpectFileRejected(mixed, "chunks from another blob under this header");
}

TEST_F(BlobTamperTest, ABlobFromAnotherKeyringIsRejected) {
  auto other_ring = crypto::Keyring::Create(dir_ / "other-keys");
  ASSERT_TRUE(other_ring.ok());
  auto other_store = OpenLocalBlobStore((dir_ / "other-blobs").string(), *other_ring, options_);
  ASSERT_TRUE(other_store.ok());
  auto foreign = PutTo(**other_store, data_, 100);
  ASSERT_TRUE(foreign.ok());
  // Its file placed where this store looks, its ref handed to this store.
  fs::copy_file(
      dir_ / "other-blobs" / "objects" / foreign->id.Hex().substr(0, 2) / foreign->id.Hex(),
      PathOf(foreign->id));
  ExpectIntegrityError(*foreign, "blob sealed under another keyring");
}

TEST_F(BlobTamperTest, EmptyBlobIsAuthenticatedAtOpen) {
  auto empty = Put("");
  ASSERT_TRUE(empty.ok());
  const fs::path p = PathOf(empty->id);
  std::string bytes = ReadFile(p);
  ASSERT_EQ(bytes.size(), format::kHeaderSize + format::kTagSize);
  bytes.back() = static_cast<char>(bytes.back() ^ 1);
  WriteFile(p, bytes);
  EXPECT_EQ(store_->Open(*empty).status().code(), Code::kIntegrity);
}

TEST_F(BlobTamperTest, AMissingFileIsNotFound) {
  fs::remove(path_);
  EXPECT_EQ(store_->Open(ref_).status().code(), Code::kNotFound);
}

TEST_F(BlobTamperTest, ASymlinkInPlaceOfTheBlobIsRefused) {
  fs::path elsewhere = dir_ / "elsewhere";
  WriteFile(elsewhere, good_);
  fs::remove(path_);
  fs::create_symlink(elsewhere, path_);
  auto r = store_->Open(ref_);
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace coffer::blob
