// Authorization: pure functions of (principal, folder chain, ACL entries, action).
//
// ACL entries hang on folders, for a user or a group. For a folder, effective
// permissions are found by walking from it up to the root: at the NEAREST folder
// with at least one entry applying to the principal the answer is decided — the
// user's own entry wins alone (even 0, an explicit "no access" override);
// otherwise the union of that folder's applicable group entries. Nothing found
// means no permission. Subfolders inherit unless overridden. Administrators
// (role admin, the system principal included) have every permission.
//
// No I/O happens here, so the whole policy is unit-tested as a matrix.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "service/perms.h"
#include "service/principal.h"
#include "store/metadata_store.h"

namespace coffer::service {

// path_ids: folder ids from kRootFolderId down to the folder in question.
uint32_t EffectivePerms(const Principal& p, std::span<const store::Id> path_ids,
                        std::span<const store::AclEntry> entries);

// What an operation needs on the folder it applies to:
//   kList, kStat → list          kRead, kCopyFrom → read
//   kUpload, kMkdir, kRenameWithin, kMoveIn, kCopyTo, kRestore → write
//   kMoveOut, kDelete → delete   kManageAcl, kSetQuota → manage
enum class Action {
  kList, kStat, kRead, kUpload, kMkdir, kRenameWithin, kMoveOut, kMoveIn,
  kCopyFrom, kCopyTo, kDelete, kRestore, kManageAcl, kSetQuota,
};
uint32_t RequiredPerms(Action action);
bool Allows(uint32_t effective, Action action);

// The entries that apply to one principal, with the folder chains they hang on,
// gathered once per operation.
class AccessView {
 public:
  struct Grant {
    store::AclEntry entry;
    std::vector<store::Id> path_ids;  // root .. entry.folder_id
  };
  AccessView(Principal principal, std::vector<Grant> grants);

  uint32_t Effective(std::span<const store::Id> path_ids) const;
  // True if some folder strictly below lies on a grant whose effective
  // permissions include list: the folder may be entered only to reach it.
  bool Traversable(std::span<const store::Id> path_ids) const;
  // Admin, or list on it, or Traversable.
  bool Visible(std::span<const store::Id> path_ids) const;
  const Principal& principal() const { return principal_; }

 private:
  Principal principal_;
  std::vector<Grant> grants_;
  std::vector<store::AclEntry> entries_;
};

}  // namespace coffer::service
