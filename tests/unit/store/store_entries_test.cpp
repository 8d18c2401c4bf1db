// The folder tree and file versions: unique live names, keyset pages that stay
// correct while the folder changes, the recycle bin, versions and key rotation.
#include <map>
#include <set>

#include "store/store_fixture.h"

namespace coffer::store {
namespace {

using StoreEntriesTest = StoreTest;

FileVersion Version(Id entry, int i, int64_t key_id = 1) {
  return {0,     entry,  "blob" + std::to_string(i),           10 + i, "sha" + std::to_string(i),
          65536, key_id, Bytes{1, 2, static_cast<uint8_t>(i)}, 9,      100 + i};
}

TEST_F(StoreEntriesTest, TheRootExistsFromTheFirstMigration) {
  auto root = store_->GetEntry(kRootFolderId);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->kind, EntryKind::kFolder);
  EXPECT_EQ(root->parent_id, 0);
  EXPECT_EQ(root->name, "");
  EXPECT_FALSE(root->deleted_at.has_value());
  EXPECT_EQ(store_->SetDeleted(kRootFolderId, 1, 1).code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->DeleteEntryRow(kRootFolderId).code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->MoveEntry(kRootFolderId, 2, "x", "x", 1).code(), Code::kInvalidArgument);
  Entry orphan;
  orphan.name = orphan.name_key = "orphan";
  EXPECT_EQ(store_->InsertEntry(orphan).status().code(), Code::kInvalidArgument);
}

TEST_F(StoreEntriesTest, EntriesRoundTrip) {
  Entry e;
  e.parent_id = kRootFolderId;
  e.kind = EntryKind::kFolder;
  e.name = "Reports";
  e.name_key = "reports";
  e.owner_id = 4;
  e.created_at = 10;
  e.modified_at = 11;
  e.quota_bytes = 5000;
  auto id = store_->InsertEntry(e);
  ASSERT_TRUE(id.ok());
  auto got = store_->GetEntry(*id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->parent_id, kRootFolderId);
  EXPECT_EQ(got->name, "Reports");
  EXPECT_EQ(got->owner_id, 4);
  EXPECT_EQ(got->created_at, 10);
  EXPECT_EQ(got->modified_at, 11);
  EXPECT_EQ(got->quota_bytes, 5000);
  EXPECT_EQ(store_->FindChild(kRootFolderId, "reports")->id, *id);
  EXPECT_EQ(store_->FindChild(kRootFolderId, "Reports").status().code(), Code::kNotFound);
  ASSERT_TRUE(store_->SetFolderQuota(*id, 9).ok());
  ASSERT_TRUE(store_->AddFolderUsedBytes(*id, 4).ok());
  EXPECT_EQ(store_->GetEntry(*id)->quota_bytes, 9);
  EXPECT_EQ(store_->GetEntry(*id)->used_bytes, 4);
  Id file = AddEntry(*id, "f");
  EXPECT_EQ(store_->SetFolderQuota(file, 1).code(), Code::kNotFound);  // not a folder
  EXPECT_EQ(store_->GetEntry(424242).status().code(), Code::kNotFound);
  Entry under_nothing = e;
  under_nothing.parent_id = 424242;
  EXPECT_FALSE(store_->InsertEntry(under_nothing).ok());
}

TEST_F(StoreEntriesTest, LiveNamesAreUniqueButDeletedOnesStack) {
  Id a = AddFolder(kRootFolderId, "a");
  Id x = AddEntry(a, "x");
  Entry dup;
  dup.parent_id = a;
  dup.name = "X";
  dup.name_key = "x";
  EXPECT_EQ(store_->InsertEntry(dup).status().code(), Code::kAlreadyExists);
  dup.parent_id = kRootFolderId;  // another folder: fine
  EXPECT_TRUE(store_->InsertEntry(dup).ok());
  ASSERT_TRUE(store_->SetDeleted(x, 100, 1).ok());
  EXPECT_EQ(store_->FindChild(a, "x").status().code(), Code::kNotFound);
  EXPECT_EQ(*store_->GetEntry(x)->deleted_at, 100);  // still readable by id
  Id x2 = AddEntry(a, "x");
  EXPECT_EQ(store_->SetDeleted(x, std::nullopt, 0).code(), Code::kAlreadyExists);  // restore
  ASSERT_TRUE(store_->MoveEntry(x2, a, "y", "y", 5).ok());
  ASSERT_TRUE(store_->SetDeleted(x, std::nullopt, 0).ok());
  EXPECT_FALSE(store_->GetEntry(x)->deleted_at.has_value());
}

TEST_F(StoreEntriesTest, MovesKeepNamesUnique) {
  Id a = AddFolder(kRootFolderId, "a");
  Id b = AddFolder(kRootFolderId, "b");
  Id f = AddEntry(a, "f");
  AddEntry(b, "f");
  EXPECT_EQ(store_->MoveEntry(f, b, "F", "f", 7).code(), Code::kAlreadyExists);
  ASSERT_TRUE(store_->MoveEntry(f, b, "G", "g", 7).ok());
  auto moved = store_->GetEntry(f);
  EXPECT_EQ(moved->parent_id, b);
  EXPECT_EQ(moved->name, "G");
  EXPECT_EQ(moved->modified_at, 7);
  EXPECT_EQ(store_->FindChild(a, "f").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->MoveEntry(999, b, "h", "h", 7).code(), Code::kNotFound);
}

TEST_F(StoreEntriesTest, KeysetPagesSurviveInsertsAndDeletesInBetween) {
  Id a = AddFolder(kRootFolderId, "a");
  for (int i = 0; i < 30; i += 2) AddEntry(a, "f" + std::to_string(100 + i));
  AddFolder(a, "sub");
  AddFolder(a, "zz-sub");
  std::vector<std::string> seen;
  ListCursor cursor;
  for (int page = 0; page < 20; ++page) {
    auto rows = store_->ListChildren(a, cursor, 4);
    ASSERT_TRUE(rows.ok());
    for (auto& e : *rows) seen.push_back(e.name);
    if (rows->size() < 4) break;
    cursor = {static_cast<int>(rows->back().kind), rows->back().name_key, rows->back().id};
    if (page == 1) {
      AddEntry(a, "f113");     // after the cursor (f110): seen
      AddEntry(a, "a-early");  // before it: not seen, and nothing repeats
      ASSERT_TRUE(store_->SetDeleted(store_->FindChild(a, "f128")->id, 1, 1).ok());
    }
  }
  ASSERT_GE(seen.size(), 2u);
  EXPECT_EQ(seen[0], "sub");  // folders first
  EXPECT_EQ(seen[1], "zz-sub");
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size());
  EXPECT_TRUE(unique.count("f113"));
  EXPECT_FALSE(unique.count("a-early"));
  EXPECT_FALSE(unique.count("f128"));
  EXPECT_EQ(seen.size(), 2u + 15u);  // 15 files - f128 + f113
  EXPECT_TRUE(std::is_sorted(seen.begin() + 2, seen.end()));
}

// Every order, both directions, read in pages of 3: folders first, each kind
// sorted by its key with ids breaking ties, and no entry seen twice or missed.
TEST_F(StoreEntriesTest, EveryListingOrderPagesThroughFoldersThenFiles) {
  Id a = AddFolder(kRootFolderId, "a");
  struct Made {
    std::string name;
    EntryKind kind;
    int64_t size, modified;
  };
  std::vector<Made> made = {{"d2", EntryKind::kFolder, 0, 50}, {"d1", EntryKind::kFolder, 0, 60},
                            {"e", EntryKind::kFile, 30, 10},   {"b", EntryKind::kFile, 10, 40},
                            {"c", EntryKind::kFile, 10, 20},   {"a", EntryKind::kFile, 20, 40},
                            {"f", EntryKind::kFile, 0, 30}};
  std::map<std::string, Made> by_name;
  for (const auto& m : made) {
    Entry e;
    e.parent_id = a;
    e.kind = m.kind;
    e.name = e.name_key = m.name;
    e.modified_at = m.modified;
    auto id = store_->InsertEntry(e);
    ASSERT_TRUE(id.ok());
    if (m.kind == EntryKind::kFile) {  // size and time come with the current version
      FileVersion v = Version(*id, 0);
      v.size = m.size;
      v.created_at = m.modified;
      auto vid = store_->InsertVersion(v);
      ASSERT_TRUE(vid.ok());
      v.id = *vid;
      ASSERT_TRUE(store_->SetCurrentVersion(*id, v).ok());
    }
    by_name[m.name] = m;
  }
  auto key = [&](const std::string& n, ListOrder o) -> int64_t {
    return o == ListOrder::kSize ? by_name[n].size : by_name[n].modified;
  };
  for (ListOrder order : {ListOrder::kName, ListOrder::kModified, ListOrder::kSize}) {
    for (bool desc : {false, true}) {
      ListCursor cursor;
      cursor.order = order;
      cursor.descending = desc;
      std::vector<Entry> seen;
      for (int page = 0; page < 10; ++page) {
        auto rows = store_->ListChildren(a, cursor, 3);
        ASSERT_TRUE(rows.ok());
        for (auto& e : *rows) seen.push_back(e);
        if (rows->size() < 3) break;
        cursor = CursorAfter(cursor, rows->back());
      }
      ASSERT_EQ(seen.size(), made.size()) << static_cast<int>(order) << desc;
      for (size_t i = 1; i < seen.size(); ++i) {
        const Entry& p = seen[i - 1];
        const Entry& e = seen[i];
        SCOPED_TRACE(p.name + " then " + e.name);
        if (p.kind != e.kind) {
          EXPECT_EQ(p.kind, EntryKind::kFolder);
          continue;
        }
        if (order == ListOrder::kName) {
          EXPECT_EQ(p.name < e.name, !desc);
          continue;
        }
        auto pk = std::pair{key(p.name, order), p.id};
        auto ek = std::pair{key(e.name, order), e.id};
        EXPECT_EQ(pk < ek, !desc);
      }
    }
  }
}

TEST_F(StoreEntriesTest, ListLimitsAreClamped) {
  Id a = AddFolder(kRootFolderId, "a");
  ASSERT_TRUE(store_
                  ->Transact([&]() -> Status {
                    for (int i = 0; i < 1005; ++i) AddEntry(a, "n" + std::to_string(i));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(store_->ListChildren(a, {}, 5000)->size(), 1000u);
  EXPECT_EQ(store_->ListChildren(a, {}, 0)->size(), 1u);
  EXPECT_EQ(store_->ListAllChildren(a)->size(), 1005u);
}

TEST_F(StoreEntriesTest, RecycleBinListings) {
  Id a = AddFolder(kRootFolderId, "a");
  Id x = AddEntry(a, "x");
  Id y = AddEntry(a, "y");
  Id z = AddEntry(a, "z");
  ASSERT_TRUE(store_->SetDeleted(x, 100, 3).ok());
  ASSERT_TRUE(store_->SetDeleted(y, 200, 3).ok());
  auto bin = store_->ListDeletedChildren(a, 10);
  ASSERT_EQ(bin->size(), 2u);
  EXPECT_EQ(bin->front().id, y);  // most recently deleted first
  EXPECT_EQ(bin->front().deleted_by, 3);
  EXPECT_EQ(store_->ListChildren(a, {}, 10)->size(), 1u);
  EXPECT_EQ(store_->ListAllChildren(a)->size(), 3u);
  EXPECT_TRUE(store_->ListExpiredDeleted(99, 10)->empty());
  EXPECT_EQ(store_->ListExpiredDeleted(100, 10)->size(), 1u);
  auto expired = store_->ListExpiredDeleted(500, 10);
  ASSERT_EQ(expired->size(), 2u);
  EXPECT_EQ(expired->front().id, x);  // oldest first
  EXPECT_EQ(store_->ListExpiredDeleted(500, 1)->size(), 1u);
  (void)z;
}

TEST_F(StoreEntriesTest, VersionsAndTheCurrentOne) {
  Id f = AddEntry(kRootFolderId, "f");
  for (int i = 0; i < 3; ++i) {
    FileVersion v = Version(f, i);
    auto id = store_->InsertVersion(v);
    ASSERT_TRUE(id.ok());
    v.id = *id;
    ASSERT_TRUE(store_->SetCurrentVersion(f, v).ok());
  }
  auto e = store_->GetEntry(f);
  EXPECT_EQ(e->size, 12);
  EXPECT_EQ(e->sha256_hex, "sha2");
  EXPECT_EQ(e->modified_at, 102);
  auto versions = store_->ListVersions(f);
  ASSERT_EQ(versions->size(), 3u);
  EXPECT_EQ(versions->front().id, e->current_version_id);  // newest first
  auto v = store_->GetVersion(versions->back().id);
  EXPECT_EQ(v->blob_id_hex, "blob0");
  EXPECT_EQ(v->chunk_size, 65536);
  EXPECT_EQ(v->wrapped_key, (Bytes{1, 2, 0}));
  EXPECT_EQ(v->uploaded_by, 9);
  EXPECT_TRUE(*store_->BlobReferenced("blob1"));
  EXPECT_FALSE(*store_->BlobReferenced("nope"));
  EXPECT_EQ(store_->SetCurrentVersion(777, *v).code(), Code::kNotFound);
  EXPECT_FALSE(store_->InsertVersion(Version(777, 9)).ok());  // no such entry
}

TEST_F(StoreEntriesTest, KeyRotationPagesThroughOldKeys) {
  Id f = AddEntry(kRootFolderId, "f");
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(store_->InsertVersion(Version(f, i, i < 5 ? 1 : 2)).ok());
  auto page = store_->ListVersionsNotUsingKey(2, 0, 3);
  ASSERT_EQ(page->size(), 3u);
  auto rest = store_->ListVersionsNotUsingKey(2, page->back().id, 3);
  ASSERT_EQ(rest->size(), 2u);
  for (const auto& v : *page) ASSERT_TRUE(store_->UpdateVersionKey(v.id, 2, Bytes{9}).ok());
  EXPECT_EQ(store_->ListVersionsNotUsingKey(2, 0, 10)->size(), 2u);
  EXPECT_EQ(store_->GetVersion(page->front().id)->wrapped_key, Bytes{9});
  EXPECT_EQ(store_->UpdateVersionKey(9999, 2, Bytes{1}).code(), Code::kNotFound);
}

TEST_F(StoreEntriesTest, PurgeOrderIsEnforced) {
  Id a = AddFolder(kRootFolderId, "a");
  Id f = AddEntry(a, "f");
  auto v = store_->InsertVersion(Version(f, 1));
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(store_->PutAcl({0, a, SubjectKind::kUser, 5, 1}).ok());
  // A file keeps its versions (and their blobs) until they are removed; a folder
  // its children.
  EXPECT_EQ(store_->DeleteEntryRow(f).code(), Code::kFailedPrecondition);
  EXPECT_EQ(store_->DeleteEntryRow(a).code(), Code::kFailedPrecondition);
  ASSERT_TRUE(store_->DeleteVersion(*v).ok());
  EXPECT_EQ(store_->DeleteVersion(*v).code(), Code::kNotFound);
  EXPECT_FALSE(*store_->BlobReferenced("blob1"));
  ASSERT_TRUE(store_->DeleteEntryRow(f).ok());
  ASSERT_TRUE(store_->DeleteEntryRow(a).ok());
  EXPECT_EQ(store_->GetEntry(a).status().code(), Code::kNotFound);
  EXPECT_TRUE(store_->ListAclForFolder(a)->empty());
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM acl"), 0);
  EXPECT_EQ(store_->DeleteEntryRow(a).code(), Code::kNotFound);
}

}  // namespace
}  // namespace coffer::store
