// FileService: the one door for files and folders. Every protocol front-end and
// the admin CLI call it; nothing else touches the metadata or content stores.
//
// Each operation runs the same steps, written once here:
//   normalise the path -> resolve it for the principal (hidden = not found) ->
//   authorize -> check quota and limits -> act -> record activity -> emit event.
// Every call, allowed or denied, writes one activity record and publishes one
// event. Changes record their activity in the same transaction as the change.
//
// Semantics an administrator can rely on:
//   - The root holds folders only; top-level folders are made by administrators.
//   - Names are case-preserving and case-insensitively unique (service/names.h).
//   - An upload becomes visible only when Commit() succeeds; until then nobody,
//     the uploader included, sees it. Overwriting keeps earlier versions (up to
//     retention.versions_kept, the current one included).
//   - Delete moves the file or folder into its folder's recycle bin, restorable
//     for retention.recycle_days; PurgeExpired removes it for good.
//   - Quotas (per user and per folder subtree) count every stored byte: all kept
//     versions and the recycle bin. They are exact: checked while streaming and
//     again in the committing transaction, so concurrent uploads cannot overshoot.
// Thread-safe: one FileService serves all sessions.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "blob/blob_store.h"
#include "config/config.h"
#include "service/activity.h"
#include "service/resolver.h"
#include "store/metadata_store.h"

namespace coffer::service {

class Operation;

struct EntryInfo {
  store::Id id = 0;
  std::string path;
  std::string name;
  bool is_folder = false;
  int64_t size = 0;  // files: current version; folders: bytes stored in the subtree
  std::string sha256_hex;
  int64_t created_at = 0;
  int64_t modified_at = 0;
  int64_t quota_bytes = 0;            // folders; 0: none
  std::optional<int64_t> deleted_at;  // entries listed from the recycle bin
  uint32_t perms = 0;                 // the caller's permissions on the folder holding it
};

// The order of a listing; folders always come first. A cursor continues only
// the order it was made for.
struct ListSort {
  store::ListOrder order = store::ListOrder::kName;
  bool descending = false;
};

struct ListPage {
  std::vector<EntryInfo> entries;
  std::string next_cursor;  // opaque; empty when this is the last page
};

// Room left for the caller's uploads into a folder: the tighter of their own
// quota and every folder quota on the way (INT64_MAX when nothing limits it).
struct SpaceInfo {
  int64_t room_bytes = 0;
  int64_t user_used_bytes = 0;
};

struct UploadOptions {
  std::optional<std::array<uint8_t, 32>> expected_sha256;  // verified at commit
  bool overwrite = true;  // false: kAlreadyExists if the name is taken
  // Known in advance (resumable uploads): refused at once if over the file size
  // limit (kLimitExceeded) or the room left (kQuotaExceeded).
  std::optional<uint64_t> declared_size;
};

// A streaming upload. Destroying it without Commit() discards everything written.
class Upload {
 public:
  virtual ~Upload() = default;
  virtual Status Write(std::span<const uint8_t> data) = 0;
  virtual Result<EntryInfo> Commit() = 0;
};

// A readable file version. Reads decrypt only the chunks they touch.
class Download {
 public:
  virtual ~Download() = default;
  virtual const EntryInfo& info() const = 0;
  virtual Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) = 0;
};

struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
};

class FileService {
 public:
  FileService(const config::Config& config, store::MetadataStore& store, blob::BlobStore& blobs,
              ActivityLog& activity);

  Result<ListPage> List(const Principal& p, const Context& c, std::string_view path,
                        std::string_view cursor, size_t limit, ListSort sort = {});
  Result<EntryInfo> Stat(const Principal& p, const Context& c, std::string_view path);
  Result<EntryInfo> Mkdir(const Principal& p, const Context& c, std::string_view path);
  Result<std::unique_ptr<Upload>> BeginUpload(const Principal& p, const Context& c,
                                              std::string_view path, UploadOptions options = {});
  // `range`, when given, is what the caller intends to read (recorded in activity).
  Result<std::unique_ptr<Download>> OpenDownload(const Principal& p, const Context& c,
                                                 std::string_view path,
                                                 std::optional<ByteRange> range = {});
  // Sets a file's or folder's modification time (unix seconds; needs upload
  // permission on its folder). Clients use it to preserve times.
  Result<EntryInfo> SetModified(const Principal& p, const Context& c, std::string_view path,
                                int64_t modified_at);
  Result<SpaceInfo> Space(const Principal& p, const Context& c, std::string_view path);
  // Rename or move; the destination must not exist.
  Result<EntryInfo> Move(const Principal& p, const Context& c, std::string_view from,
                         std::string_view to);
  // Copies a file, or a folder with everything in it (at most limits.max_copy_entries).
  Result<EntryInfo> Copy(const Principal& p, const Context& c, std::string_view from,
                         std::string_view to);
  Status Delete(const Principal& p, const Context& c, std::string_view path);
  Result<std::vector<EntryInfo>> ListRecycle(const Principal& p, const Context& c,
                                             std::string_view folder_path);
  Result<EntryInfo> Restore(const Principal& p, const Context& c, store::Id entry_id);
  // Removes for good everything deleted more than retention.recycle_days ago.
  Result<uint64_t> PurgeExpired(const Context& c);

  // Used by the admin service for folder quotas and top-level folders.
  const Resolver& resolver() const { return resolver_; }

 private:
  friend class UploadImpl;
  friend class CopyJob;
  friend class ResumableUploads;

  struct UploadPlan {
    ParentAndName target;
    int64_t room = 0;  // bytes the new version may take
  };
  // Resolves, authorizes and sizes an upload into `path`; writes nothing.
  Result<UploadPlan> PlanUpload(Operation& op, const Principal& p, std::string_view path,
                                const UploadOptions& options);
  // Makes a finished blob the new version of `path`, with the same checks,
  // record ("file.upload") and event as a streamed upload. The blob is removed
  // if that fails.
  Result<EntryInfo> CommitBlob(const Principal& p, const Context& c, std::string_view path,
                               const blob::BlobRef& ref);

  Result<ListPage> ListIn(Operation& op, const Access& a, const Resolved& folder,
                          std::string_view cursor, size_t limit, ListSort sort);
  Result<EntryInfo> MoveIn(Operation& op, const Access& a, std::string_view from,
                           std::string_view to);
  Status DeleteIn(Operation& op, const Access& a, std::string_view path);
  Result<EntryInfo> RestoreIn(Operation& op, const Access& a, store::Id entry_id);
  Status PurgeEntry(const store::Entry& entry, std::span<const store::Id> parent_ids, int depth,
                    std::vector<std::string>* dead_blobs);
  void RemoveBlobs(const std::vector<std::string>& blob_ids);
  Result<std::unique_ptr<blob::BlobReader>> OpenVersion(const store::FileVersion& v);
  Result<int64_t> StoredBytes(const store::Entry& entry);
  EntryInfo Info(const store::Entry& e, std::string path, uint32_t perms) const;
  // A new folder row (not yet inserted) named `name` in `parent_id`.
  static store::Entry NewFolder(store::Id parent_id, const NormalName& name, store::Id owner,
                                int64_t now);

  const config::Config& config_;
  store::MetadataStore& store_;
  blob::BlobStore& blobs_;
  ActivityLog& activity_;
  Resolver resolver_;
};

}  // namespace coffer::service
