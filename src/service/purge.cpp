// Purging the recycle bin for good: versions, blobs, rows and quota usage.
#include "service/file_service.h"
#include "service/operation.h"
#include "service/usage.h"

namespace coffer::service {

namespace {
constexpr size_t kPurgeBatch = 100;
}

// Inside a transaction: removes `entry` and everything below it. `parent_ids`
// are the folders (root first) whose usage counters hold its bytes.
Status FileService::PurgeEntry(const store::Entry& entry, std::span<const store::Id> parent_ids,
                               int depth, std::vector<std::string>* dead_blobs) {
  if (depth > static_cast<int>(config_.limits.max_depth) + 1) {
    return InternalError("folder tree deeper than allowed");
  }
  if (entry.kind == store::EntryKind::kFolder) {
    std::vector<store::Id> ids(parent_ids.begin(), parent_ids.end());
    ids.push_back(entry.id);
    COFFER_ASSIGN_OR_RETURN(auto children, store_.ListAllChildren(entry.id));
    for (const auto& child : children) {
      COFFER_RETURN_IF_ERROR(PurgeEntry(child, ids, depth + 1, dead_blobs));
    }
  } else {
    COFFER_ASSIGN_OR_RETURN(auto versions, store_.ListVersions(entry.id));
    UsageChange usage;
    for (const auto& v : versions) {
      usage.AddUser(v.uploaded_by, -v.size);
      usage.AddFolders(parent_ids, -v.size);
      COFFER_RETURN_IF_ERROR(store_.DeleteVersion(v.id));
      dead_blobs->push_back(v.blob_id_hex);
    }
    COFFER_RETURN_IF_ERROR(usage.Apply(store_));
  }
  return store_.DeleteEntryRow(entry.id);
}

Result<uint64_t> FileService::PurgeExpired(const Context& c) {
  const Principal system = Principal::System();
  int64_t now = activity_.NowUs() / 1000000;
  int64_t before = now - int64_t{config_.retention.recycle_days} * 86400;
  uint64_t purged = 0;
  for (;;) {
    COFFER_ASSIGN_OR_RETURN(auto batch, store_.ListExpiredDeleted(before, kPurgeBatch));
    if (batch.empty()) break;
    for (const auto& e : batch) {
      Operation op(activity_, system, c, "file.purge", e.name);
      op.fact().object_id = e.id;
      COFFER_ASSIGN_OR_RETURN(Access a, Access::Load(store_, system));
      auto r = resolver_.ResolveId(a, e.id);
      if (r.ok()) op.fact().path = r->path;
      std::vector<std::string> dead;
      Status st = r.ok() ? store_.Transact([&]() -> Status {
        dead.clear();
        COFFER_ASSIGN_OR_RETURN(int64_t bytes, StoredBytes(e));
        op.fact().bytes = bytes;
        COFFER_RETURN_IF_ERROR(PurgeEntry(e, r->ParentIds(), 0, &dead));
        return op.AppendInTx();
      })
                         : r.status();
      COFFER_RETURN_IF_ERROR(op.Finish(st));
      RemoveBlobs(dead);
      ++purged;
    }
  }
  return purged;
}

}  // namespace coffer::service
