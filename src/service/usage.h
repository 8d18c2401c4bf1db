// UsageChange: byte accounting for quotas (internal to service/).
//
// Collects signed byte deltas per user and per folder, then, inside the caller's
// transaction, re-reads the current counters and refuses the whole change with
// kQuotaExceeded if any positive delta would take a user or folder past its
// quota. Because the check and the update happen in one write transaction,
// concurrent uploads cannot overshoot a quota.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <span>

#include "store/metadata_store.h"

namespace coffer::service {

class UsageChange {
 public:
  void AddUser(store::Id user_id, int64_t delta);
  // Every folder in `folder_ids` (root to a folder) holds the bytes.
  void AddFolders(std::span<const store::Id> folder_ids, int64_t delta);
  Status Apply(store::MetadataStore& store) const;

 private:
  std::map<store::Id, int64_t> users_;
  std::map<store::Id, int64_t> folders_;
};

// Bytes that may still be added for `user_id` under `folder_ids` before a quota is
// reached (INT64_MAX when nothing limits it). A fast early check for streaming;
// UsageChange::Apply is the exact one.
Result<int64_t> QuotaRoom(store::MetadataStore& store, store::Id user_id,
                          std::span<const store::Id> folder_ids);

}  // namespace coffer::service
