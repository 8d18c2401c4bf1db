// Retention and search of the activity record through the real service stack:
// pruning deletes only up to a signed checkpoint, which becomes the anchor that
// verification starts from; the pruning is recorded; tampering after a prune is
// still caught; a search shows administrators everything and a user only their
// own records, in keyset pages.
#include <sqlite3.h>

#include "audit/signing_key.h"
#include "service/audit_trail.h"
#include "service_fixture.h"

namespace coffer::service::testing {
namespace {

constexpr int64_t kDayUs = 86'400'000'000;

class AuditRetentionTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    auto key = audit::SigningKey::Create(dir_);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    key_ = std::make_unique<audit::SigningKey>(std::move(*key));
    activity_->EnableCheckpoints(key_.get(), 3, 3600);
    config_.audit.retention_days = 30;
  }

  int Raw(const char* statement) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(config_.storage.database.c_str(), &db), SQLITE_OK);
    int rc = sqlite3_exec(db, statement, nullptr, nullptr, nullptr);
    sqlite3_close(db);
    return rc;
  }

  int64_t RawInt(const char* query) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(config_.storage.database.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, query, -1, &s, nullptr), SQLITE_OK);
    int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
  }

  audit::Report Verify() {
    auto r = VerifyAuditTrail(*store_, key_->public_key(), {128});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : audit::Report{};
  }

  // 12 old records (days ago), then a few recent ones.
  void OldAndNew() {
    for (int i = 0; i < 12; ++i) Folder("/old" + std::to_string(i));
    now_us_ += 40 * kDayUs;
    Folder("/new1");
    Folder("/new2");
  }

  std::unique_ptr<audit::SigningKey> key_;
};

TEST_F(AuditRetentionTest, PruneDeletesUpToASignedCheckpointThatBecomesTheAnchor) {
  OldAndNew();
  int64_t before = RawInt("SELECT COUNT(*) FROM activity");
  auto r = admin_->PruneActivity(system_, ctx_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // Checkpoints at records 1, 4, 7, 10 (old) and 13 (recent).
  EXPECT_EQ(r->anchor, 10);
  EXPECT_EQ(r->removed, 10);
  EXPECT_EQ(RawInt("SELECT MIN(id) FROM activity"), 11);
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM activity"), before - 10 + 1);  // + the prune record
  audit::Report v = Verify();
  EXPECT_EQ(v.finding, audit::Finding::kOk) << v.detail;
  EXPECT_EQ(v.anchor_id, 10);
  // The pruning is itself a chained record naming the anchor.
  ActivityQuery q;
  q.action = "audit.prune";
  auto page = admin_->SearchActivity(system_, ctx_, q);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].object_id, 10);
  EXPECT_EQ(page->items[0].result, "ok");
  // Nothing more is due: a second run removes nothing and keeps the anchor.
  auto again = admin_->PruneActivity(system_, ctx_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->removed, 0);
  EXPECT_EQ(again->anchor, 10);
  EXPECT_EQ(Verify().finding, audit::Finding::kOk);
}

TEST_F(AuditRetentionTest, NothingIsPrunedWithoutACheckpointOldEnough) {
  Folder("/a");
  Folder("/b");
  auto r = admin_->PruneActivity(system_, ctx_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->removed, 0);
  EXPECT_EQ(r->anchor, 0);
  EXPECT_EQ(RawInt("SELECT MIN(id) FROM activity"), 1);
}

TEST_F(AuditRetentionTest, TriggersStillRefuseDeletingPastTheAnchor) {
  OldAndNew();
  ASSERT_TRUE(admin_->PruneActivity(system_, ctx_).ok());
  EXPECT_NE(Raw("DELETE FROM activity WHERE id = 13"), SQLITE_OK);
  EXPECT_NE(Raw("UPDATE activity SET detail = 'x' WHERE id = 13"), SQLITE_OK);
  EXPECT_NE(Raw("DELETE FROM audit_anchors"), SQLITE_OK);
  EXPECT_NE(Raw("DELETE FROM audit_checkpoints WHERE record_id = 10"), SQLITE_OK);
}

TEST_F(AuditRetentionTest, TamperingAfterAPruneIsStillCaught) {
  OldAndNew();
  ASSERT_TRUE(admin_->PruneActivity(system_, ctx_).ok());
  ASSERT_EQ(Raw("DROP TRIGGER activity_no_update"), SQLITE_OK);
  ASSERT_EQ(Raw("UPDATE activity SET path = '/elsewhere' WHERE id = 14"), SQLITE_OK);
  audit::Report v = Verify();
  EXPECT_EQ(v.finding, audit::Finding::kAltered);
  EXPECT_EQ(v.record_id, 14);
}

TEST_F(AuditRetentionTest, DeletingTheFirstRecordsAfterTheAnchorIsCaught) {
  OldAndNew();
  ASSERT_TRUE(admin_->PruneActivity(system_, ctx_).ok());
  ASSERT_EQ(Raw("DROP TRIGGER activity_no_delete"), SQLITE_OK);
  ASSERT_EQ(Raw("DELETE FROM activity WHERE id = 11"), SQLITE_OK);
  audit::Report v = Verify();
  EXPECT_EQ(v.finding, audit::Finding::kRemoved);
  EXPECT_EQ(v.record_id, 11);
}

TEST_F(AuditRetentionTest, AnAnchorNoPruningMadeIsCaught) {
  // An attacker copies a later (real, signed) checkpoint into the anchors and
  // deletes everything before it: the signature holds, but no chained
  // audit.prune record names that anchor.
  OldAndNew();
  ASSERT_EQ(Raw("DROP TRIGGER activity_no_delete"), SQLITE_OK);
  ASSERT_EQ(Raw("INSERT INTO audit_anchors (checkpoint_id, record_id, head_hash, at_us,"
                " signature, pruned_at_us) SELECT id, record_id, head_hash, at_us, signature, 0"
                " FROM audit_checkpoints WHERE record_id = 7"),
            SQLITE_OK);
  ASSERT_EQ(Raw("DELETE FROM activity WHERE id <= 7"), SQLITE_OK);
  audit::Report v = Verify();
  EXPECT_EQ(v.finding, audit::Finding::kRemoved) << v.detail;
  EXPECT_EQ(v.record_id, 7);
}

TEST_F(AuditRetentionTest, AForgedAnchorIsCaught) {
  OldAndNew();
  ASSERT_TRUE(admin_->PruneActivity(system_, ctx_).ok());
  ASSERT_EQ(Raw("INSERT INTO audit_anchors (checkpoint_id, record_id, head_hash, at_us,"
                " signature, pruned_at_us) SELECT checkpoint_id, record_id, head_hash, at_us + 1,"
                " signature, 0 FROM audit_anchors"),
            SQLITE_OK);
  EXPECT_EQ(Verify().finding, audit::Finding::kCheckpointForged);
}

TEST_F(AuditRetentionTest, PruningRefusesAChainThatDoesNotVerifyAndRecordsThat) {
  OldAndNew();
  ASSERT_EQ(Raw("DROP TRIGGER activity_no_update"), SQLITE_OK);
  ASSERT_EQ(Raw("UPDATE activity SET path = '/x' WHERE id = 2"), SQLITE_OK);
  auto r = admin_->PruneActivity(system_, ctx_);
  EXPECT_EQ(r.status().code(), Code::kIntegrity);
  EXPECT_EQ(RawInt("SELECT MIN(id) FROM activity"), 1);  // the evidence stays
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM activity WHERE action = 'audit.prune'"
                   " AND result = 'error'"),
            1);
}

TEST_F(AuditRetentionTest, OnlyAdministratorsPrune) {
  AddUser("alice");
  auto r = admin_->PruneActivity(User("alice"), ctx_);
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
}

TEST_F(AuditRetentionTest, SearchFiltersAndPagesNewestFirst) {
  AddUser("alice");
  Folder("/shared");
  ASSERT_TRUE(admin_->Grant(system_, ctx_, "/shared", "alice", 0x3f).ok());
  Principal alice = User("alice");
  Context from_a{"sftp", "192.0.2.7", "s1"};
  for (int i = 0; i < 5; ++i) {
    now_us_ += 1000;
    ASSERT_TRUE(files_->Mkdir(alice, from_a, "/shared/d" + std::to_string(i)).ok());
  }
  ActivityQuery q;
  q.user = "alice";
  q.address = "192.0.2.7";
  q.path_prefix = "/shared/d";
  q.limit = 2;
  std::vector<store::Id> ids;
  for (int page = 0; page < 5; ++page) {
    auto r = admin_->SearchActivity(system_, ctx_, q);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const auto& rec : r->items) {
      EXPECT_EQ(rec.actor_name, "alice");
      EXPECT_EQ(rec.address, "192.0.2.7");
      ids.push_back(rec.id);
    }
    if (r->next_cursor.empty()) break;
    q.cursor = r->next_cursor;
  }
  ASSERT_EQ(ids.size(), 5u);
  for (size_t i = 1; i < ids.size(); ++i) EXPECT_LT(ids[i], ids[i - 1]);
  // A time range.
  ActivityQuery t;
  t.user = "alice";
  t.action = "folder.create";
  t.since_us = now_us_ - 2500;
  auto tr = admin_->SearchActivity(system_, ctx_, t);
  ASSERT_TRUE(tr.ok());
  EXPECT_EQ(tr->items.size(), 3u);
  ActivityQuery bad;
  bad.result = "maybe";
  EXPECT_EQ(admin_->SearchActivity(system_, ctx_, bad).status().code(), Code::kInvalidArgument);
  bad = {};
  bad.cursor = "12.x";
  EXPECT_EQ(admin_->SearchActivity(system_, ctx_, bad).status().code(), Code::kInvalidArgument);
}

TEST_F(AuditRetentionTest, AUserSearchesOnlyTheirOwnRecordsAndTheSearchIsRecorded) {
  AddUser("alice");
  AddUser("bob");
  Principal alice = User("alice");
  ActivityQuery mine;
  auto r = admin_->SearchActivity(alice, ctx_, mine);
  ASSERT_TRUE(r.ok());
  for (const auto& rec : r->items) EXPECT_EQ(rec.actor_name, "alice");
  ActivityQuery other;
  other.user = "bob";
  EXPECT_EQ(admin_->SearchActivity(alice, ctx_, other).status().code(), Code::kPermissionDenied);
  ActivityQuery searches;
  searches.action = "activity.search";
  auto s = admin_->SearchActivity(system_, ctx_, searches);
  ASSERT_TRUE(s.ok());
  ASSERT_GE(s->items.size(), 2u);
  // Newest first (this search is recorded after it ran): alice's denial, her own search.
  EXPECT_EQ(s->items[0].result, "denied");
  EXPECT_EQ(s->items[0].actor_name, "alice");
  EXPECT_EQ(s->items[1].result, "ok");
}

}  // namespace
}  // namespace coffer::service::testing
