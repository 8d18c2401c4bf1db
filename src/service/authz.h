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
  kList,
  kStat,
  kRead,
  kUpload,
  kMkdir,
  kRenameWithin,
  kMoveOut,
  kMoveIn,
  kCopyFrom,
  kCopyTo,
  kDelete,
  kRestore,
  kManageAcl,
  kSetQuota,
};
uint32_t RequiredPerms(Action action);
bool Allows(uint32_t effective, Action action);

// Visibility: a user sees only what they may see, not even the names of other
// folders. AccessView holds, for one principal, the entries that apply to them
// with the id chain (root .. entry.folder_id) of the folder each hangs on; the
// caller reads both from the store once per operation. Immutable after
// construction, so a view may be shared by threads.
class AccessView {
 public:
  struct Grant {
    store::AclEntry entry;
    std::vector<store::Id> path_ids;  // root .. entry.folder_id
  };
  AccessView(Principal principal, std::vector<Grant> grants);

  // As EffectivePerms over the view's entries.
  uint32_t Effective(std::span<const store::Id> path_ids) const;
  // True if the folder may be shown and entered only to reach something below
  // it: some grant strictly below (path_ids a strict prefix of its chain) has
  // effective list permission at its own folder. A grant without list there —
  // an explicit 0, say — opens no way, and siblings of the way stay hidden.
  bool Traversable(std::span<const store::Id> path_ids) const;
  // Shown in a listing of its parent: admin, or list on it, or Traversable.
  bool Visible(std::span<const store::Id> path_ids) const;
  const Principal& principal() const { return principal_; }

 private:
  Principal principal_;
  std::vector<Grant> grants_;
  std::vector<store::AclEntry> entries_;  // grants_[i].entry, for EffectivePerms
  std::vector<bool> listable_;            // grants_[i] has effective list at its folder
};

}  // namespace coffer::service
