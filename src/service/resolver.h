// Access and path resolution for one principal.
//
// Access gathers, once per operation, the ACL entries that apply to a principal
// and the folder chains they hang on, so every permission question afterwards is
// a pure function (service/authz.h). Resolver turns a virtual path into the chain
// of entries from the root, checking visibility at every step: a folder the
// principal has no permission on, and that leads to none, is answered exactly
// like a folder that does not exist (invariant: a user learns nothing, not even
// names, about folders not granted to them).
//
// Visibility rules:
//   - a folder is visible if the principal has any permission on it, or it lies
//     on the way to a folder they may list (Traversable);
//   - a file is visible if the principal has list or read on its folder;
//   - the root is always visible; it holds folders only.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "service/authz.h"
#include "service/names.h"
#include "service/principal.h"
#include "store/metadata_store.h"

namespace coffer::service {

// The message of the internal status that marks "exists but hidden"; converted to
// kNotFound at the operation boundary, and recorded there as a denial.
inline constexpr std::string_view kHiddenMessage = "object not visible to the caller";
Status Hidden();
bool IsHidden(const Status& st);

class Access {
 public:
  static Result<Access> Load(store::MetadataStore& store, const Principal& principal);

  const Principal& principal() const { return view_.principal(); }
  uint32_t Perms(std::span<const store::Id> folder_ids) const;
  bool FolderVisible(std::span<const store::Id> folder_ids) const;
  bool FilesVisible(std::span<const store::Id> folder_ids) const;
  // kPermissionDenied naming what is missing, or ok.
  Status Require(std::span<const store::Id> folder_ids, Action action) const;

 private:
  explicit Access(AccessView view) : view_(std::move(view)) {}
  AccessView view_;
};

struct Resolved {
  std::vector<store::Entry> chain;  // chain[0] is the root; chain.back() the target
  std::vector<store::Id> ids;       // chain's ids
  std::string path;                 // normalised virtual path
  const store::Entry& target() const { return chain.back(); }
  bool is_root() const { return chain.size() == 1; }
  // Ids of the folders down to the target's folder: the target itself if it is a
  // folder, else its parent.
  std::span<const store::Id> FolderIds() const;
  // Ids from the root down to the target's parent.
  std::span<const store::Id> ParentIds() const;
};

struct ParentAndName {
  Resolved parent;  // a folder
  NormalName name;
  std::string path;  // parent path + name
};

class Resolver {
 public:
  Resolver(store::MetadataStore& store, NameLimits limits) : store_(store), limits_(limits) {}

  Result<Resolved> Resolve(const Access& access, std::string_view path) const;
  // The parent folder of `path` (which must not be the root) and the leaf name.
  Result<ParentAndName> ResolveParent(const Access& access, std::string_view path) const;
  // Walks up from an entry id (live or in the recycle bin) to the root.
  Result<Resolved> ResolveId(const Access& access, store::Id id) const;
  const NameLimits& limits() const { return limits_; }

 private:
  Result<Resolved> Walk(const Access& access, std::span<const NormalName> parts) const;
  store::MetadataStore& store_;
  NameLimits limits_;
};

std::string ChildPath(std::string_view parent_path, std::string_view name);

}  // namespace coffer::service
