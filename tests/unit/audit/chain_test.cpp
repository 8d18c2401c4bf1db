// The canonical encoding, the signing key file and the verifier's findings on
// synthetic chains (the CLI tests do the same on a real database).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "audit/chain.h"
#include "audit/signing_key.h"
#include "audit/verifier.h"

namespace coffer::audit {
namespace {

struct Rec {
  int64_t id;
  std::string actor, action, path;
  Bytes prev, hash;
  RecordView View() const {
    RecordView v;
    v.id = id;
    v.at_us = id * 1000;
    v.actor_name = actor;
    v.action = action;
    v.path = path;
    v.prev_hash = prev;
    v.hash = hash;
    return v;
  }
};

class ChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    dir_ = std::filesystem::temp_directory_path() / ("coffer-audit-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto k = SigningKey::Create(dir_);
    ASSERT_TRUE(k.ok());
    key_ = std::make_unique<SigningKey>(std::move(*k));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Build(int n) {
    Bytes prev(kGenesis.begin(), kGenesis.end());
    for (int i = 1; i <= n; ++i) {
      Rec r{i, "alice", "file.upload", "/f" + std::to_string(i), prev, {}};
      auto h = hasher_.Compute(r.View());
      ASSERT_TRUE(h.ok());
      r.hash.assign(h->begin(), h->end());
      prev = r.hash;
      chain_.push_back(r);
    }
  }
  void Sign(int64_t record_id) {
    const Rec& r = chain_[static_cast<size_t>(record_id - 1)];
    Signature s = key_->Sign(CheckpointMessage(record_id, r.hash, 7));
    cps_.push_back(
        {static_cast<int64_t>(cps_.size() + 1), record_id, r.hash, 7, Bytes(s.begin(), s.end())});
  }
  // Feeds everything in pages of `page`, as the service driver does.
  Report Verify(size_t page, int64_t sequence = 0) {
    ChainVerifier v(key_->public_key());
    std::vector<RecordView> views;
    for (const auto& r : chain_) views.push_back(r.View());
    size_t next_cp = 0, at = 0;
    while (!v.done()) {
      size_t end = std::min(at + page, views.size());
      int64_t until = end > at ? views[end - 1].id : INT64_MAX;
      while (next_cp < cps_.size() && cps_[next_cp].record_id <= until) {
        const auto& c = cps_[next_cp++];
        v.AddCheckpoint({c.id, c.record_id, c.head, c.at_us, c.sig});
      }
      bool last = end == views.size();
      at += v.Feed(std::span(views).subspan(at, end - at), last);
      if (last && (at == views.size() || v.done())) break;
    }
    while (next_cp < cps_.size()) {
      const auto& c = cps_[next_cp++];
      v.AddCheckpoint({c.id, c.record_id, c.head, c.at_us, c.sig});
    }
    if (!v.done()) v.Finish(sequence ? sequence : (chain_.empty() ? 0 : chain_.back().id));
    return v.report();
  }

  struct Cp {
    int64_t id, record_id;
    Bytes head;
    int64_t at_us;
    Bytes sig;
  };
  std::filesystem::path dir_;
  std::unique_ptr<SigningKey> key_;
  ChainHasher hasher_;
  std::vector<Rec> chain_;
  std::vector<Cp> cps_;
};

TEST_F(ChainTest, EncodingIsUnambiguous) {
  Bytes zero(32, 0);
  RecordView a, b;
  a.actor_name = "ab";
  a.protocol = "c";
  b.actor_name = "a";
  b.protocol = "bc";
  a.prev_hash = b.prev_hash = zero;
  EXPECT_NE(*hasher_.Compute(a), *hasher_.Compute(b));
  RecordView short_prev;
  EXPECT_FALSE(hasher_.Compute(short_prev).ok());
}

TEST_F(ChainTest, KeyFileIsPrivateAndReloads) {
  struct stat st;
  ASSERT_EQ(::stat((dir_ / kSigningKeyFile).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = SigningKey::Load(dir_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->public_key(), key_->public_key());
  EXPECT_EQ(SigningKey::Create(dir_).status().code(), Code::kAlreadyExists);
  ::chmod((dir_ / kSigningKeyFile).c_str(), 0644);
  EXPECT_EQ(SigningKey::Load(dir_).status().code(), Code::kIntegrity);
  EXPECT_EQ(SigningKey::Load(dir_ / "none").status().code(), Code::kNotFound);
  EXPECT_FALSE(ParsePublicKey("abc").ok());
}

TEST_F(ChainTest, IntactChainAcrossPageSizes) {
  Build(1000);
  for (int id : {1, 100, 500, 1000}) Sign(id);
  for (size_t page : {1000u, 200u, 129u}) {
    Report r = Verify(page);
    EXPECT_EQ(r.finding, Finding::kOk) << page << ": " << r.detail;
    EXPECT_EQ(r.records, 1000);
    EXPECT_EQ(r.checkpoints, 4);
    EXPECT_EQ(r.signed_id, 1000);
  }
}

TEST_F(ChainTest, FindingsNameTheRecord) {
  Build(300);
  Sign(100);
  Sign(300);
  auto expect = [&](Finding f, int64_t id) {
    for (size_t page : {1000u, 150u}) {
      Report r = Verify(page);
      EXPECT_EQ(r.finding, f) << page << ": " << r.detail;
      EXPECT_EQ(r.record_id, id) << page << ": " << r.detail;
    }
  };
  auto saved = chain_;
  chain_[149].path = "/evil";  // record 150, at a page edge
  expect(Finding::kAltered, 150);
  chain_ = saved;
  chain_.erase(chain_.begin() + 149);
  expect(Finding::kRemoved, 150);
  chain_ = saved;
  std::swap(chain_[149].id, chain_[150].id);
  std::swap(chain_[149], chain_[150]);
  expect(Finding::kReordered, 150);
  chain_ = saved;
  chain_.resize(250);
  expect(Finding::kTruncated, 251);
  chain_ = saved;
  cps_[0].at_us++;
  expect(Finding::kCheckpointForged, 100);
}

}  // namespace
}  // namespace coffer::audit
