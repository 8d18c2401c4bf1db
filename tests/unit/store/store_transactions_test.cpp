// Transactions, migrations and concurrency: all-or-nothing, applied once,
// counters exact under several writers (threads and connections).
#include <thread>

#include "store/schema.h"
#include "store/store_fixture.h"

namespace coffer::store {
namespace {

using StoreTransactionsTest = StoreTest;

TEST_F(StoreTransactionsTest, ReopeningRunsNoMigrationTwice) {
  AddUser("alice");
  Reopen();
  Reopen();
  EXPECT_TRUE(store_->GetUserByName("alice").ok());
  EXPECT_EQ(RawInt("SELECT MAX(version) FROM schema_migrations"), LatestSchemaVersion());
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM entries"), 1);  // one root
}

TEST_F(StoreTransactionsTest, ANewerSchemaIsRefused) {
  ASSERT_EQ(Raw("INSERT INTO schema_migrations (version) VALUES (99)"), SQLITE_OK);
  store_.reset();
  auto s = OpenSqliteStore(path_.string(), mac_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kFailedPrecondition);
}

TEST_F(StoreTransactionsTest, AFailedFunctionRollsEverythingBack) {
  Id f = AddFolder(kRootFolderId, "F");
  Status st = store_->Transact([&]() -> Status {
    AddUser("ghost");
    COFFER_RETURN_IF_ERROR(store_->AddFolderUsedBytes(f, 100));
    COFFER_RETURN_IF_ERROR(store_->PutSetting("k", "v"));
    return Conflict("changed my mind");
  });
  EXPECT_EQ(st.code(), Code::kConflict);
  EXPECT_EQ(store_->GetUserByName("ghost").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->GetEntry(f)->used_bytes, 0);
  EXPECT_FALSE(store_->GetSetting("k")->has_value());
}

TEST_F(StoreTransactionsTest, AFailedStatementRollsBackWhenPropagated) {
  AddUser("taken");
  Status st = store_->Transact([&]() -> Status {
    User u;
    u.name = u.name_key = "first";
    COFFER_RETURN_IF_ERROR(store_->CreateUser(u).status());
    u.name = u.name_key = "taken";
    return store_->CreateUser(u).status();
  });
  EXPECT_EQ(st.code(), Code::kAlreadyExists);
  EXPECT_EQ(store_->GetUserByName("first").status().code(), Code::kNotFound);
}

TEST_F(StoreTransactionsTest, ANestedFailureRollsBackOnlyItsOwnPart) {
  ASSERT_TRUE(store_
                  ->Transact([&]() -> Status {
                    AddUser("kept");
                    Status inner = store_->Transact([&]() -> Status {
                      AddUser("dropped");
                      return Conflict("inner");
                    });
                    EXPECT_FALSE(inner.ok());
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_TRUE(store_->GetUserByName("kept").ok());
  EXPECT_FALSE(store_->GetUserByName("dropped").ok());
}

TEST_F(StoreTransactionsTest, ConcurrentCounterUpdatesAreExact) {
  Id u = AddUser("counter");
  Id f = AddFolder(kRootFolderId, "F");
  constexpr int kThreads = 4, kRounds = 100;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        Status st = (t % 2 == 0) ? store_->Transact([&]() -> Status {
          COFFER_RETURN_IF_ERROR(store_->AddUserUsedBytes(u, 3));
          return store_->AddFolderUsedBytes(f, 5);
        })
                                 : store_->AddUserUsedBytes(u, 3);
        if (st.ok() && t % 2 == 1) st = store_->AddFolderUsedBytes(f, 5);
        EXPECT_TRUE(st.ok()) << st.ToString();
        EXPECT_TRUE(store_->GetUser(u).ok());  // readers interleave too
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(store_->GetUser(u)->used_bytes, 3 * kThreads * kRounds);
  EXPECT_EQ(store_->GetEntry(f)->used_bytes, 5 * kThreads * kRounds);
  EXPECT_TRUE(alerts_.empty());
}

TEST_F(StoreTransactionsTest, TwoConnectionsToOneFileStayExact) {
  Id u = AddUser("shared");
  auto second = OpenSqliteStore(path_.string(), mac_, {.busy_timeout_ms = 10000});
  ASSERT_TRUE(second.ok());
  MetadataStore* stores[] = {store_.get(), second->get()};
  constexpr int kRounds = 50;
  std::vector<std::thread> threads;
  for (MetadataStore* s : stores) {
    threads.emplace_back([s, u] {
      for (int i = 0; i < kRounds; ++i) {
        Status st = s->Transact([&]() -> Status {
          COFFER_ASSIGN_OR_RETURN(User user, s->GetUser(u));
          (void)user;
          return s->AddUserUsedBytes(u, 1);
        });
        EXPECT_TRUE(st.ok()) << st.ToString();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(store_->GetUser(u)->used_bytes, 2 * kRounds);
  EXPECT_EQ((*second)->GetUser(u)->used_bytes, 2 * kRounds);
}

}  // namespace
}  // namespace coffer::store
