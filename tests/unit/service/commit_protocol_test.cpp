// Failure injection at every step of an upload's commit protocol, through the
// file-system interface: whatever step fails (an I/O error, or a crash that
// leaves everything as it was), after a restart either the old version or the
// new one is visible — never a partial file — and no blob is left orphaned.
#include "service_fixture.h"
#include "util/fault_env.h"

namespace coffer::service::testing {
namespace {

class CommitProtocolTest : public ServiceTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    env_ = &faults_;
    ServiceTest::SetUp();
  }
  void Restart() {
    faults_.FailAt(0);
    Close();
    Open();
    auto swept = Sweep();
    ASSERT_TRUE(swept.ok()) << swept.status().ToString();
  }
  size_t ReferencedVersions() {
    auto e = files_->Stat(system_, ctx_, "/A/f");
    if (!e.ok()) return 0;
    return store_->ListVersions(e->id)->size();
  }

  FaultInjectionEnv faults_{Env::Default()};
};

TEST_P(CommitProtocolTest, OldOrNewVersionAndNothingOrphaned) {
  const bool crash = GetParam();
  const std::string old_data = RandomText(40000, 11), new_data = RandomText(50000, 12);
  Folder("/A");
  ASSERT_TRUE(Put(system_, "/A/f", old_data).ok());
  bool committed = false;
  int steps = 0;
  for (uint64_t n = 1; n < 200 && !committed; ++n, ++steps) {
    faults_.FailAt(n, crash);
    Status st = Put(system_, "/A/f", new_data);
    committed = st.ok() && faults_.failures() == 0;
    if (st.ok() && faults_.failures() > 0) {
      ADD_FAILURE() << "step " << n << ": an injected failure went unnoticed";
    }
    Restart();
    auto now = Get(system_, "/A/f");
    ASSERT_TRUE(now.ok()) << "step " << n << ": " << now.status().ToString();
    EXPECT_TRUE(*now == (st.ok() ? new_data : old_data)) << "step " << n;
    EXPECT_EQ(BlobFileCount(), ReferencedVersions()) << "step " << n << ": orphaned blobs";
  }
  EXPECT_TRUE(committed);
  EXPECT_GE(steps, 4);  // create, write, sync, rename, dir sync at the least
}

INSTANTIATE_TEST_SUITE_P(IoErrorAndCrash, CommitProtocolTest, ::testing::Values(false, true));

}  // namespace
}  // namespace coffer::service::testing
