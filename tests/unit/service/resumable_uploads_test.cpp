// ResumableUploads on a real service stack: appends across "restarts", durable
// offsets, ownership, limits, expiry, completion through the file service.
#include "service/resumable_uploads.h"

#include <gtest/gtest.h>

#include "crypto/sha256.h"
#include "service/perms.h"
#include "service_fixture.h"
#include "util/bytes.h"

namespace coffer::service::testing {
namespace {

class ResumableTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    uploads_ = std::make_unique<ResumableUploads>(config_, *store_, *blobs_, *activity_, *files_);
    AddUser("alice");
    AddUser("bob");
    Folder("/A");
    for (const char* u : {"alice", "bob"}) {
      ASSERT_TRUE(admin_->Grant(system_, ctx_, "/A", u, kList | kRead | kWrite).ok());
    }
    alice_ = User("alice");
    bob_ = User("bob");
  }
  void TearDown() override {
    uploads_.reset();
    ServiceTest::TearDown();
  }
  void Restart() {
    uploads_.reset();
    Close();
    Open();
    uploads_ = std::make_unique<ResumableUploads>(config_, *store_, *blobs_, *activity_, *files_);
  }

  // Appends data[from, to) at `from`; the status after the append.
  Result<UploadStatus> Append(const Principal& p, const std::string& id, const std::string& data,
                              size_t from, size_t to) {
    COFFER_ASSIGN_OR_RETURN(auto patch, uploads_->BeginPatch(p, ctx_, id, from));
    COFFER_RETURN_IF_ERROR(patch->Write(AsBytes(std::string_view(data).substr(from, to - from))));
    return patch->Finish();
  }

  std::unique_ptr<ResumableUploads> uploads_;
  Principal alice_, bob_;
};

TEST_F(ResumableTest, AppendsAcrossRestartsAndCompletesThroughTheFileService) {
  const size_t cs = config_.storage.chunk_size;
  const std::string data = RandomText(6 * cs + 5, 3);
  auto up = uploads_->Create(alice_, ctx_, "/A/big.bin", data.size());
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  auto s = Append(alice_, up->id, data, 0, 2 * cs + 100);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->offset, 2 * cs);
  EXPECT_FALSE(s->file.has_value());
  EXPECT_EQ(files_->Stat(alice_, ctx_, "/A/big.bin").status().code(), Code::kNotFound);
  Restart();
  auto st = uploads_->Get(alice_, ctx_, up->id);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->offset, 2 * cs);
  EXPECT_EQ(st->length, data.size());
  EXPECT_EQ(uploads_->BeginPatch(alice_, ctx_, up->id, 0).status().code(), Code::kConflict);
  s = Append(alice_, up->id, data, 2 * cs, data.size());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_TRUE(s->file.has_value());
  EXPECT_EQ(s->offset, data.size());
  auto digest = crypto::Sha256::Digest(AsBytes(data));
  EXPECT_EQ(s->file->sha256_hex, ToHex(*digest));
  auto back = Get(alice_, "/A/big.bin");
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(*back == data);
  EXPECT_EQ(uploads_->Get(alice_, ctx_, up->id).status().code(), Code::kNotFound);
}

TEST_F(ResumableTest, AnInterruptedAppendKeepsWholeChunksOnly) {
  const size_t cs = config_.storage.chunk_size;
  const std::string data = RandomText(4 * cs, 4);
  auto up = uploads_->Create(alice_, ctx_, "/A/x.bin", data.size());
  ASSERT_TRUE(up.ok());
  {
    auto patch = uploads_->BeginPatch(alice_, ctx_, up->id, 0);
    ASSERT_TRUE(patch.ok());
    EXPECT_EQ(uploads_->BeginPatch(alice_, ctx_, up->id, 0).status().code(), Code::kConflict);
    ASSERT_TRUE((*patch)->Write(AsBytes(std::string_view(data).substr(0, cs + 7))).ok());
    (*patch)->Interrupted();
  }
  EXPECT_EQ(uploads_->Get(alice_, ctx_, up->id)->offset, cs);
  {
    // Destroyed without Finish (a crash mid-request): nothing new is reported.
    auto patch = uploads_->BeginPatch(alice_, ctx_, up->id, cs);
    ASSERT_TRUE(patch.ok());
    ASSERT_TRUE((*patch)->Write(AsBytes(std::string_view(data).substr(cs, 2 * cs))).ok());
  }
  Restart();
  EXPECT_EQ(uploads_->Get(alice_, ctx_, up->id)->offset, cs);
  auto s = Append(alice_, up->id, data, cs, data.size());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(*Get(alice_, "/A/x.bin") == data);
}

TEST_F(ResumableTest, ALongAppendRecordsItsProgressEvery64MiB) {
  const size_t mib = 1024 * 1024;
  const std::string piece = RandomText(mib, 5);
  auto up = uploads_->Create(alice_, ctx_, "/A/long.bin", 100 * mib);
  ASSERT_TRUE(up.ok());
  {
    auto patch = uploads_->BeginPatch(alice_, ctx_, up->id, 0);
    ASSERT_TRUE(patch.ok());
    for (int i = 0; i < 70; ++i) ASSERT_TRUE((*patch)->Write(AsBytes(piece)).ok());
    // Destroyed mid-request (a crash): the checkpoint at 64 MiB survives.
  }
  Restart();
  EXPECT_EQ(uploads_->Get(alice_, ctx_, up->id)->offset, 64 * mib);
}

TEST_F(ResumableTest, AnotherUserSeesNothing) {
  auto up = uploads_->Create(alice_, ctx_, "/A/mine.bin", 10);
  ASSERT_TRUE(up.ok());
  EXPECT_EQ(uploads_->Get(bob_, ctx_, up->id).status().code(), Code::kNotFound);
  EXPECT_EQ(uploads_->BeginPatch(bob_, ctx_, up->id, 0).status().code(), Code::kNotFound);
  EXPECT_EQ(uploads_->Terminate(bob_, ctx_, up->id).code(), Code::kNotFound);
  EXPECT_TRUE(uploads_->Get(alice_, ctx_, up->id).ok());
  EXPECT_TRUE(uploads_->Terminate(alice_, ctx_, up->id).ok());
  EXPECT_EQ(uploads_->Get(alice_, ctx_, up->id).status().code(), Code::kNotFound);
}

TEST_F(ResumableTest, LimitsQuotasAndAuthorizationAtCreation) {
  config_.uploads.max_bytes = 1000;
  config_.uploads.max_open_per_user = 2;
  EXPECT_EQ(uploads_->Create(alice_, ctx_, "/A/a", 1001).status().code(), Code::kLimitExceeded);
  ASSERT_TRUE(uploads_->Create(alice_, ctx_, "/A/a", 1000).ok());
  ASSERT_TRUE(uploads_->Create(alice_, ctx_, "/A/b", 1).ok());
  auto third = uploads_->Create(alice_, ctx_, "/A/c", 1);
  EXPECT_EQ(third.status().code(), Code::kLimitExceeded);
  EXPECT_EQ(third.status().message(), ResumableUploads::kTooManyOpen);
  EXPECT_TRUE(uploads_->Create(bob_, ctx_, "/A/c", 1).ok());  // per user
  Folder("/Hidden");
  EXPECT_EQ(uploads_->Create(bob_, ctx_, "/Hidden/x", 1).status().code(), Code::kNotFound);
  AddUser("carol", 500);
  ASSERT_TRUE(admin_->Grant(system_, ctx_, "/A", "carol", kList | kRead | kWrite).ok());
  EXPECT_EQ(uploads_->Create(User("carol"), ctx_, "/A/q", 501).status().code(),
            Code::kQuotaExceeded);
}

TEST_F(ResumableTest, IdleUploadsExpireWithTheirContent) {
  config_.uploads.expiry_seconds = 60;
  auto up = uploads_->Create(alice_, ctx_, "/A/old.bin", 100);
  ASSERT_TRUE(up.ok());
  auto keep = uploads_->Create(alice_, ctx_, "/A/new.bin", 100);
  ASSERT_TRUE(keep.ok());
  auto listed = blobs_->ListPartials();
  ASSERT_EQ(listed->size(), 2u);
  now_us_ += 30'000'000;
  ASSERT_TRUE(Append(alice_, keep->id, std::string(100, 'k'), 0, 10).ok());  // progress renews
  now_us_ += 31'000'000;
  auto purged = uploads_->PurgeExpired(ctx_);
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1u);
  EXPECT_EQ(uploads_->Get(alice_, ctx_, up->id).status().code(), Code::kNotFound);
  EXPECT_TRUE(uploads_->Get(alice_, ctx_, keep->id).ok());
  EXPECT_EQ(blobs_->ListPartials()->size(), 1u);
  now_us_ += 61'000'000;
  EXPECT_EQ(uploads_->Get(alice_, ctx_, keep->id).status().code(), Code::kNotFound);
  EXPECT_EQ(blobs_->ListPartials()->size(), 0u);
}

TEST_F(ResumableTest, SweepAtStartRemovesPartialsNobodyOwns) {
  auto orphan = blobs_->CreatePartial(10);
  ASSERT_TRUE(orphan.ok());
  auto up = uploads_->Create(alice_, ctx_, "/A/kept.bin", 10);
  ASSERT_TRUE(up.ok());
  auto n = uploads_->SweepAtStart(ctx_);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1u);
  EXPECT_EQ(blobs_->ListPartials()->size(), 1u);
  EXPECT_TRUE(uploads_->Get(alice_, ctx_, up->id).ok());
}

}  // namespace
}  // namespace coffer::service::testing
