// Fail-on-Nth through the whole commit protocol: for every N, either Finish
// succeeds and the blob reads back whole, or it fails and, after a restart and a
// sweep, nothing at all is left. Both single I/O errors and crashes (every later
// operation fails too, so the writer cannot clean up) are tried.
#include <gtest/gtest.h>

#include <string>

#include "blob/blob_fixture.h"
#include "util/fault_env.h"

namespace coffer::blob {
namespace {

namespace fs = std::filesystem;

class BlobFaultTest : public testing::BlobTest, public ::testing::WithParamInterface<bool> {
 protected:
  // One attempt with the Nth operation failing. Returns the ref if Finish succeeded.
  std::optional<BlobRef> Attempt(FaultInjectionEnv& env, const std::string& data) {
    auto w = store_->Create();
    if (!w.ok()) return std::nullopt;
    for (size_t off = 0; off < data.size(); off += 100000) {
      if (!(*w)->Write(AsBytes(std::string_view(data).substr(off, 100000))).ok()) {
        return std::nullopt;
      }
    }
    auto ref = (*w)->Finish();
    EXPECT_TRUE(ref.ok() || env.failures() > 0) << ref.status().ToString();
    return ref.ok() ? std::optional<BlobRef>(*ref) : std::nullopt;
  }
};

TEST_P(BlobFaultTest, EveryStepOfTheCommitProtocolCanFail) {
  const bool crash = GetParam();
  // Large enough that appends go through the write-behind thread too.
  const std::string data = testing::RandomText(9 * 1024 * 1024 + 17, 77);
  FaultInjectionEnv env(Env::Default());
  Reopen(&env);
  env.FailAt(0);
  ASSERT_TRUE(Attempt(env, data).has_value());
  const uint64_t steps = env.op_count();  // create, appends, fsync, rename, dir fsync
  ASSERT_GE(steps, 1 + 9 + 1 + 1 + 1u);
  uint64_t n = 1;
  for (;; ++n) {
    Reopen(&env);
    env.FailAt(n, crash);
    std::optional<BlobRef> ref = Attempt(env, data);  // the writer is gone after this
    const bool failed = env.failures() > 0;
    env.FailAt(0);

    Reopen(&env);  // a fresh instance, as after a restart
    // The caller commits its metadata row only after Finish succeeded.
    auto swept = store_->SweepOrphans([&](const BlobId& id) { return ref && id == ref->id; });
    ASSERT_TRUE(swept.ok()) << swept.status().ToString();
    EXPECT_TRUE(fs::is_empty(root_ / "tmp")) << "step " << n;
    if (ref) {
      auto back = Get(*ref);
      ASSERT_TRUE(back.ok()) << "step " << n << ": " << back.status().ToString();
      EXPECT_TRUE(*back == data) << "step " << n;
      EXPECT_EQ(Files().size(), 1u) << "step " << n;
      ASSERT_TRUE(store_->Remove(ref->id).ok());
    } else {
      EXPECT_TRUE(Files().empty()) << "step " << n;
    }
    if (!failed) {
      ASSERT_TRUE(ref.has_value()) << "no fault was injected, yet Finish failed";
      break;
    }
    ASSERT_LT(n, 100u) << "the protocol never completes";
  }
  EXPECT_EQ(n, steps + 1) << "every step was failed once";
}

TEST_P(BlobFaultTest, AnInterruptedSweepCanBeRerun) {
  const bool crash = GetParam();
  FaultInjectionEnv env(Env::Default());
  Reopen(&env);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Put("orphan " + std::to_string(i)).ok());
  for (uint64_t n = 1; n < 10; ++n) {
    env.FailAt(n, crash);
    (void)store_->SweepOrphans([](const BlobId&) { return false; });
  }
  env.FailAt(0);
  ASSERT_TRUE(store_->SweepOrphans([](const BlobId&) { return false; }).ok());
  EXPECT_TRUE(Files().empty());
}

INSTANTIATE_TEST_SUITE_P(IoErrorOrCrash, BlobFaultTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "Crash" : "IoError";
                         });

}  // namespace
}  // namespace coffer::blob
