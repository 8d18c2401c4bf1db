#include "service/authz.h"

#include <algorithm>
#include <utility>

namespace coffer::service {

namespace {

bool Applies(const Principal& p, const store::AclEntry& e) {
  if (e.subject_kind == store::SubjectKind::kUser)
    return e.subject_id == p.user_id && p.user_id != 0;
  return std::find(p.group_ids.begin(), p.group_ids.end(), e.subject_id) != p.group_ids.end();
}

}  // namespace

uint32_t EffectivePerms(const Principal& p, std::span<const store::Id> path_ids,
                        std::span<const store::AclEntry> entries) {
  if (p.is_admin()) return kAllPerms;
  for (auto it = path_ids.rbegin(); it != path_ids.rend(); ++it) {
    bool found = false;
    uint32_t groups = 0;
    for (const auto& e : entries) {
      if (e.folder_id != *it || !Applies(p, e)) continue;
      if (e.subject_kind == store::SubjectKind::kUser) return e.perms;
      found = true;
      groups |= e.perms;
    }
    if (found) return groups;
  }
  return 0;
}

uint32_t RequiredPerms(Action action) {
  switch (action) {
    case Action::kList:
    case Action::kStat:
      return kList;
    case Action::kRead:
    case Action::kCopyFrom:
      return kRead;
    case Action::kUpload:
    case Action::kMkdir:
    case Action::kRenameWithin:
    case Action::kMoveIn:
    case Action::kCopyTo:
    case Action::kRestore:
      return kWrite;
    case Action::kMoveOut:
    case Action::kDelete:
      return kDelete;
    case Action::kManageAcl:
    case Action::kSetQuota:
      return kManage;
  }
  return kAllPerms;  // unknown actions need everything
}

bool Allows(uint32_t effective, Action action) {
  uint32_t need = RequiredPerms(action);
  return (effective & need) == need;
}

AccessView::AccessView(Principal principal, std::vector<Grant> grants)
    : principal_(std::move(principal)), grants_(std::move(grants)) {
  for (const auto& g : grants_) entries_.push_back(g.entry);
  // A grant's chain never changes, so whether it opens a way is decided once
  // here rather than on every Visible() call of a listing.
  for (const auto& g : grants_) listable_.push_back((Effective(g.path_ids) & kList) != 0);
}

uint32_t AccessView::Effective(std::span<const store::Id> path_ids) const {
  return EffectivePerms(principal_, path_ids, entries_);
}

bool AccessView::Traversable(std::span<const store::Id> path_ids) const {
  for (size_t i = 0; i < grants_.size(); ++i) {
    const auto& chain = grants_[i].path_ids;
    if (!listable_[i] || chain.size() <= path_ids.size()) continue;
    if (std::equal(path_ids.begin(), path_ids.end(), chain.begin())) return true;
  }
  return false;
}

bool AccessView::Visible(std::span<const store::Id> path_ids) const {
  return principal_.is_admin() || (Effective(path_ids) & kList) || Traversable(path_ids);
}

}  // namespace coffer::service
