// The activity chain through the real service stack: every change's record is
// chained and signed in the change's transaction, and a record that cannot be
// written stops the change (failure injected in SQLite itself, through a second
// connection, as a full disk or a locked table would).
#include <sqlite3.h>

#include "audit/signing_key.h"
#include "service/audit_trail.h"
#include "service_fixture.h"

namespace coffer::service::testing {
namespace {

class AuditChainTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    auto key = audit::SigningKey::Create(dir_);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    key_ = std::make_unique<audit::SigningKey>(std::move(*key));
    activity_->EnableCheckpoints(key_.get(), 3, 3600);
  }

  int Raw(const char* statement) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(config_.storage.database.c_str(), &db), SQLITE_OK);
    int rc = sqlite3_exec(db, statement, nullptr, nullptr, nullptr);
    sqlite3_close(db);
    return rc;
  }

  audit::Report Verify() {
    auto r = VerifyAuditTrail(*store_, key_->public_key(), {128});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : audit::Report{};
  }

  std::unique_ptr<audit::SigningKey> key_;
};

TEST_F(AuditChainTest, ChangesAreChainedAndSignedEveryNRecords) {
  for (int i = 0; i < 10; ++i) Folder("/f" + std::to_string(i));
  audit::Report r = Verify();
  EXPECT_EQ(r.finding, audit::Finding::kOk) << r.detail;
  EXPECT_EQ(r.records, 10);
  EXPECT_EQ(r.checkpoints, 4);  // records 1, 4, 7, 10
  EXPECT_EQ(r.signed_id, 10);
}

TEST_F(AuditChainTest, SignedEveryMSecondsToo) {
  Folder("/a");
  Folder("/b");
  now_us_ += int64_t{3600} * 1'000'000;
  Folder("/c");
  EXPECT_EQ(Verify().signed_id, 3);
  Folder("/d");
  EXPECT_EQ(Verify().signed_id, 3);
  ASSERT_TRUE(activity_->Checkpoint().ok());
  EXPECT_EQ(Verify().signed_id, 4);
}

TEST_F(AuditChainTest, ARecordThatCannotBeWrittenStopsTheChange) {
  Folder("/kept");
  ASSERT_EQ(Raw("CREATE TRIGGER fail_activity BEFORE INSERT ON activity"
                " BEGIN SELECT RAISE(ABORT, 'injected'); END"),
            SQLITE_OK);
  auto made = admin_->CreateFolder(system_, ctx_, "/lost", 0);
  EXPECT_FALSE(made.ok());
  auto up = Put(system_, "/kept/file.txt", "some content");
  EXPECT_FALSE(up.ok());
  ASSERT_EQ(Raw("DROP TRIGGER fail_activity"), SQLITE_OK);
  EXPECT_EQ(store_->FindChild(store::kRootFolderId, "lost").status().code(), Code::kNotFound);
  EXPECT_TRUE(Names(system_, "/kept").empty());
  EXPECT_EQ(Verify().finding, audit::Finding::kOk);
}

TEST_F(AuditChainTest, ACheckpointThatCannotBeWrittenStopsTheChangeToo) {
  Folder("/a");
  ASSERT_EQ(Raw("CREATE TRIGGER fail_cp BEFORE INSERT ON audit_checkpoints"
                " BEGIN SELECT RAISE(ABORT, 'injected'); END"),
            SQLITE_OK);
  Folder("/b");
  Folder("/c");
  EXPECT_FALSE(admin_->CreateFolder(system_, ctx_, "/d", 0).ok());  // record 4 is due a checkpoint
  ASSERT_EQ(Raw("DROP TRIGGER fail_cp"), SQLITE_OK);
  EXPECT_EQ(store_->FindChild(store::kRootFolderId, "d").status().code(), Code::kNotFound);
  EXPECT_EQ(Verify().finding, audit::Finding::kOk);
}

TEST_F(AuditChainTest, DenialsAreChainedWithTheirReason) {
  AddUser("alice");
  auto denied = admin_->CreateFolder(User("alice"), ctx_, "/nope", 0);
  EXPECT_FALSE(denied.ok());
  auto log = store_->ListActivity({});
  ASSERT_TRUE(log.ok());
  ASSERT_FALSE(log->empty());
  EXPECT_EQ(log->front().result, "denied");
  EXPECT_FALSE(log->front().detail.empty());
  EXPECT_EQ(Verify().finding, audit::Finding::kOk);
}

}  // namespace
}  // namespace coffer::service::testing
