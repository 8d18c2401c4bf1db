// The file service end to end over a real store: visibility, quotas, versions,
// recycle bin, activity and events.
#include <thread>

#include "service_fixture.h"

namespace coffer::service::testing {
namespace {

class FileServiceTest : public ServiceTest {};

TEST_F(FileServiceTest, UploadIsVisibleOnlyWhenCommitted) {
  Folder("/A");
  auto up = files_->BeginUpload(system_, ctx_, "/A/x.bin");
  ASSERT_TRUE(up.ok());
  std::string data = RandomText(100000, 1);
  ASSERT_TRUE((*up)->Write({reinterpret_cast<const uint8_t*>(data.data()), data.size()}).ok());
  EXPECT_EQ(files_->Stat(system_, ctx_, "/A/x.bin").status().code(), Code::kNotFound);
  EXPECT_TRUE(Names(system_, "/A").empty());
  auto info = (*up)->Commit();
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->size, 100000);
  EXPECT_EQ(*Get(system_, "/A/x.bin"), data);
}

TEST_F(FileServiceTest, AbandonedUploadLeavesNothing) {
  Folder("/A");
  {
    auto up = files_->BeginUpload(system_, ctx_, "/A/x.bin");
    ASSERT_TRUE(up.ok());
    std::string data = RandomText(50000, 2);
    ASSERT_TRUE((*up)->Write({reinterpret_cast<const uint8_t*>(data.data()), data.size()}).ok());
  }
  auto log = store_->ListActivity({});
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->front().action, "file.upload");
  EXPECT_EQ(log->front().result, "error");
  EXPECT_EQ(BlobFileCount(), 0u);
  EXPECT_TRUE(Names(system_, "/A").empty());
}

TEST_F(FileServiceTest, ExpectedDigestMismatchStoresNothing) {
  Folder("/A");
  UploadOptions options;
  options.expected_sha256.emplace();
  options.expected_sha256->fill(0xab);
  EXPECT_EQ(Put(system_, "/A/x", "hello", options).code(), Code::kInvalidArgument);
  EXPECT_EQ(BlobFileCount(), 0u);
  EXPECT_EQ(files_->Stat(system_, ctx_, "/A/x").status().code(), Code::kNotFound);
}

TEST_F(FileServiceTest, OverwriteKeepsConfiguredVersionsAndFreesTheRest) {
  config_.retention.versions_kept = 2;
  Folder("/A");
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Put(system_, "/A/v", std::string(1000 + i, 'a' + i)).ok());
  EXPECT_EQ(*Get(system_, "/A/v"), std::string(1003, 'd'));
  auto entry = files_->Stat(system_, ctx_, "/A/v");
  ASSERT_TRUE(entry.ok());
  auto versions = store_->ListVersions(entry->id);
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->size(), 2u);
  EXPECT_EQ(BlobFileCount(), 2u);
  auto folder = files_->Stat(system_, ctx_, "/A");
  EXPECT_EQ(folder->size, 1002 + 1003);
}

TEST_F(FileServiceTest, RangesReadExactlyTheAskedBytes) {
  Folder("/A");
  std::string data = RandomText(200000, 3);
  ASSERT_TRUE(Put(system_, "/A/r", data).ok());
  auto d = files_->OpenDownload(system_, ctx_, "/A/r", ByteRange{16380, 10});
  ASSERT_TRUE(d.ok());
  uint8_t buf[10];
  auto n = (*d)->ReadAt(16380, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), *n), data.substr(16380, 10));
  auto end = (*d)->ReadAt(200000, buf);
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, 0u);
}

TEST_F(FileServiceTest, ListingPagesThroughAFolderInOrder) {
  Folder("/A");
  Folder("/A/zz-folder");
  for (int i = 0; i < 57; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "/A/f%03d", i);
    ASSERT_TRUE(Put(system_, name, "x").ok());
  }
  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto page = files_->List(system_, ctx_, "/A", cursor, 10);
    ASSERT_TRUE(page.ok());
    EXPECT_LE(page->entries.size(), 10u);
    for (auto& e : page->entries) seen.push_back(e.name);
    cursor = page->next_cursor;
    ++pages;
  } while (!cursor.empty() && pages < 20);
  ASSERT_EQ(seen.size(), 58u);
  EXPECT_EQ(seen.front(), "zz-folder");  // folders first
  EXPECT_EQ(seen[1], "f000");
  EXPECT_EQ(seen.back(), "f056");
}

TEST_F(FileServiceTest, HiddenFoldersAreFilteredFromListings) {
  Folder("/A");
  Folder("/B");
  Folder("/C/Deep");
  AddUser("alice");
  auto alice = User("alice");
  ASSERT_TRUE(admin_->Grant(system_, ctx_, "/A", "alice", kList | kRead).ok());
  ASSERT_TRUE(admin_->Grant(system_, ctx_, "/C/Deep", "alice", kList).ok());
  alice = User("alice");
  EXPECT_EQ(Names(alice, "/"), (std::vector<std::string>{"A", "C"}));
  EXPECT_EQ(Names(alice, "/C"), (std::vector<std::string>{"Deep"}));
  EXPECT_EQ(files_->List(alice, ctx_, "/B", "", 10).status().code(), Code::kNotFound);
  auto log = store_->ListActivity({});
  EXPECT_EQ(log->front().result, "denied");
  EXPECT_EQ(log->front().detail, std::string(kHiddenMessage));
}

TEST_F(FileServiceTest, ConcurrentUploadsNeverOvershootAQuota) {
  Folder("/A", 10 * 1000);
  std::vector<std::thread> threads;
  std::atomic<int> ok = 0;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 4; ++i) {
        if (Put(system_, "/A/t" + std::to_string(t) + "-" + std::to_string(i), std::string(1000, 'x')).ok()) {
          ++ok;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 10);
  auto folder = files_->Stat(system_, ctx_, "/A");
  EXPECT_EQ(folder->size, 10 * 1000);
  ASSERT_TRUE(Sweep().ok());
  EXPECT_EQ(BlobFileCount(), 10u);
}

TEST_F(FileServiceTest, UserQuotaIsCheckedWhileStreaming) {
  Folder("/A");
  AddUser("bob", 50000);
  ASSERT_TRUE(admin_->Grant(system_, ctx_, "/A", "bob", kList | kRead | kWrite).ok());
  auto bob = User("bob");
  EXPECT_EQ(Put(bob, "/A/big", std::string(60000, 'b')).code(), Code::kQuotaExceeded);
  EXPECT_TRUE(Put(bob, "/A/fits", std::string(50000, 'b')).ok());
  EXPECT_EQ(Put(bob, "/A/one-more", "x").code(), Code::kQuotaExceeded);
  EXPECT_EQ(store_->GetUser(bob.user_id)->used_bytes, 50000);
}

TEST_F(FileServiceTest, MoveCarriesUsageBetweenFolderQuotas) {
  Folder("/A", 1000);
  Folder("/B", 1000);
  ASSERT_TRUE(Put(system_, "/A/x", std::string(800, 'x')).ok());
  ASSERT_TRUE(Put(system_, "/B/y", std::string(300, 'y')).ok());
  EXPECT_EQ(files_->Move(system_, ctx_, "/A/x", "/B/x").status().code(), Code::kQuotaExceeded);
  EXPECT_EQ(files_->Move(system_, ctx_, "/B/y", "/A/y").status().code(), Code::kQuotaExceeded);
  ASSERT_TRUE(Put(system_, "/B/y", std::string(100, 'y')).ok());  // versions: 300 + 100 kept
  ASSERT_TRUE(files_->Mkdir(system_, ctx_, "/A/sub").ok());
  ASSERT_TRUE(files_->Move(system_, ctx_, "/A/x", "/A/sub/x").ok());  // same quota, no change
  EXPECT_EQ(files_->Stat(system_, ctx_, "/A")->size, 800);
  EXPECT_EQ(files_->Stat(system_, ctx_, "/A/sub")->size, 800);
  ASSERT_TRUE(files_->Move(system_, ctx_, "/A/sub", "/B/sub").status().code() ==
              Code::kQuotaExceeded);
  ASSERT_TRUE(admin_->SetFolderQuota(system_, ctx_, "/B", 2000).ok());
  ASSERT_TRUE(files_->Move(system_, ctx_, "/A/sub", "/B/sub").ok());
  EXPECT_EQ(files_->Stat(system_, ctx_, "/A")->size, 0);
  EXPECT_EQ(files_->Stat(system_, ctx_, "/B")->size, 1200);
}

TEST_F(FileServiceTest, DeleteRestoreAndPurgeAfterRetention) {
  Folder("/A");
  AddUser("carol");
  ASSERT_TRUE(admin_->Grant(system_, ctx_, "/A", "carol", kList | kRead | kWrite | kDelete).ok());
  auto carol = User("carol");
  ASSERT_TRUE(Put(carol, "/A/sub/x", "nope").code() == Code::kNotFound);
  ASSERT_TRUE(files_->Mkdir(carol, ctx_, "/A/sub").ok());
  ASSERT_TRUE(Put(carol, "/A/sub/x", std::string(5000, 'x')).ok());
  auto sub = files_->Stat(carol, ctx_, "/A/sub");
  ASSERT_TRUE(files_->Delete(carol, ctx_, "/A/sub").ok());
  EXPECT_EQ(files_->Stat(carol, ctx_, "/A/sub/x").status().code(), Code::kNotFound);
  auto trash = files_->ListRecycle(carol, ctx_, "/A");
  ASSERT_TRUE(trash.ok());
  ASSERT_EQ(trash->size(), 1u);
  ASSERT_TRUE(files_->Restore(carol, ctx_, sub->id).ok());
  EXPECT_EQ(*Get(carol, "/A/sub/x"), std::string(5000, 'x'));
  ASSERT_TRUE(files_->Delete(carol, ctx_, "/A/sub").ok());
  EXPECT_EQ(*files_->PurgeExpired(ctx_), 0u);  // too recent
  now_us_ += int64_t{31} * 86400 * 1000000;
  EXPECT_EQ(*files_->PurgeExpired(ctx_), 1u);
  EXPECT_EQ(BlobFileCount(), 0u);
  EXPECT_EQ(files_->Stat(system_, ctx_, "/A")->size, 0);
  EXPECT_EQ(store_->GetUser(carol.user_id)->used_bytes, 0);
  EXPECT_EQ(files_->Restore(carol, ctx_, sub->id).status().code(), Code::kNotFound);
}

TEST_F(FileServiceTest, EveryCallIsRecordedAndPublished) {
  std::vector<events::Event> events;
  bus_.Subscribe([&](const events::Event& e) { events.push_back(e); });
  Folder("/A");
  AddUser("dan");
  auto dan = User("dan");
  size_t before = events.size();
  ASSERT_TRUE(Put(system_, "/A/x", "abc").ok());
  EXPECT_FALSE(Get(dan, "/A/x").ok());
  EXPECT_FALSE(files_->Mkdir(dan, ctx_, "/A/y").ok());
  ASSERT_EQ(events.size(), before + 3);
  EXPECT_EQ(events[before].action, "file.upload");
  EXPECT_EQ(events[before].sha256_hex,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(events[before + 1].result, "denied");
  EXPECT_EQ(events[before + 2].actor, "dan");
  auto log = store_->ListActivity({});
  EXPECT_EQ(log->size(), events.size());
}

TEST_F(FileServiceTest, CopyReencryptsAndCountsTowardsTheCopier) {
  Folder("/A");
  Folder("/B");
  EXPECT_EQ(Put(system_, "/A/src/one", "111").code(), Code::kNotFound);
  ASSERT_TRUE(files_->Mkdir(system_, ctx_, "/A/src").ok());
  ASSERT_TRUE(Put(system_, "/A/src/one", "111").ok());
  ASSERT_TRUE(Put(system_, "/A/src/two", "2222").ok());
  ASSERT_TRUE(files_->Copy(system_, ctx_, "/A/src", "/B/dst").ok());
  EXPECT_EQ(*Get(system_, "/B/dst/two"), "2222");
  EXPECT_EQ(BlobFileCount(), 4u);
  EXPECT_EQ(files_->Copy(system_, ctx_, "/A/src", "/A/src/inner").status().code(),
            Code::kInvalidArgument);
  config_.limits.max_copy_entries = 2;
  EXPECT_EQ(files_->Copy(system_, ctx_, "/A/src", "/B/dst2").status().code(),
            Code::kLimitExceeded);
}

TEST_F(FileServiceTest, AFinishedBlobWithoutItsRowIsSweptAtRestart) {
  // The state a crash leaves between the blob's rename and the metadata commit.
  Folder("/A");
  ASSERT_TRUE(Put(system_, "/A/kept", "keep me").ok());
  auto w = blobs_->Create();
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Write({reinterpret_cast<const uint8_t*>("lost"), 4}).ok());
  ASSERT_TRUE((*w)->Finish().ok());
  w->reset();
  EXPECT_EQ(BlobFileCount(), 2u);
  Close();
  Open();
  auto swept = Sweep();
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 1u);
  EXPECT_EQ(BlobFileCount(), 1u);
  EXPECT_EQ(*Get(system_, "/A/kept"), "keep me");
}

}  // namespace
}  // namespace coffer::service::testing
