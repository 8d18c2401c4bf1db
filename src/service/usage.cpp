#include "service/usage.h"

#include <algorithm>

namespace coffer::service {

void UsageChange::AddUser(store::Id user_id, int64_t delta) {
  if (user_id != 0 && delta != 0) users_[user_id] += delta;
}

void UsageChange::AddFolders(std::span<const store::Id> folder_ids, int64_t delta) {
  if (delta == 0) return;
  for (store::Id id : folder_ids) folders_[id] += delta;
}

Status UsageChange::Apply(store::MetadataStore& store) const {
  for (const auto& [id, delta] : users_) {
    if (delta <= 0) continue;
    COFFER_ASSIGN_OR_RETURN(store::User u, store.GetUser(id));
    if (u.quota_bytes > 0 && u.used_bytes + delta > u.quota_bytes) {
      return QuotaExceeded("user quota of " + std::to_string(u.quota_bytes) +
                           " bytes would be exceeded");
    }
  }
  for (const auto& [id, delta] : folders_) {
    if (delta <= 0) continue;
    COFFER_ASSIGN_OR_RETURN(store::Entry f, store.GetEntry(id));
    if (f.quota_bytes > 0 && f.used_bytes + delta > f.quota_bytes) {
      return QuotaExceeded("folder quota of " + std::to_string(f.quota_bytes) + " bytes on \"" +
                           f.name + "\" would be exceeded");
    }
  }
  for (const auto& [id, delta] : users_) {
    if (delta != 0) COFFER_RETURN_IF_ERROR(store.AddUserUsedBytes(id, delta));
  }
  for (const auto& [id, delta] : folders_) {
    if (delta != 0) COFFER_RETURN_IF_ERROR(store.AddFolderUsedBytes(id, delta));
  }
  return Status::Ok();
}

Result<int64_t> QuotaRoom(store::MetadataStore& store, store::Id user_id,
                          std::span<const store::Id> folder_ids) {
  int64_t room = std::numeric_limits<int64_t>::max();
  if (user_id != 0) {
    COFFER_ASSIGN_OR_RETURN(store::User u, store.GetUser(user_id));
    if (u.quota_bytes > 0) room = std::min(room, u.quota_bytes - u.used_bytes);
  }
  for (store::Id id : folder_ids) {
    COFFER_ASSIGN_OR_RETURN(store::Entry f, store.GetEntry(id));
    if (f.quota_bytes > 0) room = std::min(room, f.quota_bytes - f.used_bytes);
  }
  return std::max<int64_t>(room, 0);
}

}  // namespace coffer::service
