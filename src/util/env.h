// Env: the narrow interface through which Coffer touches the file system.
//
// Everything is reached through directory handles: a root is opened once by its
// configured path, and from then on every file and subdirectory is opened beneath
// a handle with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), one path component
// at a time, so no path is ever built by joining strings and a planted symlink or
// ".." cannot lead outside the tree (THREAT-MODEL invariant 8). Linux only.
//
// errno becomes a Status here and nowhere else. Messages name the operation and a
// generic reason, never a host path, so they are safe to pass on. Mapping:
// ENOENT -> kNotFound, EEXIST/ENOTEMPTY -> kAlreadyExists, EACCES/EPERM/ELOOP/EXDEV
// (an escape attempt) -> kPermissionDenied, anything else -> kIo.
//
// Handles are move-only and close their descriptor when dropped. The Env methods
// are virtual so that tests can wrap the real one (util/fault_env.h); the real Env
// is stateless and thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/bytes.h"
#include "util/status.h"

namespace coffer {

// An owned file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// An open directory; the anchor for every name-based operation.
class Dir {
 public:
  Dir() = default;
  explicit Dir(UniqueFd fd) : fd_(std::move(fd)) {}
  int fd() const { return fd_.get(); }
  bool valid() const { return fd_.valid(); }

 private:
  UniqueFd fd_;
};

// An open regular file (read-only or write-only, as opened).
class File {
 public:
  File() = default;
  explicit File(UniqueFd fd) : fd_(std::move(fd)) {}
  int fd() const { return fd_.get(); }
  bool valid() const { return fd_.valid(); }

 private:
  UniqueFd fd_;
};

struct FileInfo {
  uint64_t size = 0;
  mode_t mode = 0;  // type and permission bits, as st_mode
  bool is_regular() const;
  bool is_directory() const;
};

class Env {
 public:
  virtual ~Env() = default;

  // The real operating system. Never null, never freed.
  static Env* Default();

  // Opens the directory at `path` (the one call that takes a host path). With
  // `create`, a missing last component is made with mode 0700 first.
  virtual Result<Dir> OpenRoot(const std::string& path, bool create) = 0;
  // Opens the subdirectory `name` beneath `dir`.
  virtual Result<Dir> OpenDir(const Dir& dir, std::string_view name) = 0;
  // Makes subdirectory `name` (mode 0700); kAlreadyExists if it is there.
  virtual Status MakeDir(const Dir& dir, std::string_view name) = 0;
  // Creates `name` for writing, exclusively (O_EXCL), with mode 0600.
  virtual Result<File> CreateExclusive(const Dir& dir, std::string_view name) = 0;
  // Opens an existing regular file `name` for reading.
  virtual Result<File> OpenForRead(const Dir& dir, std::string_view name) = 0;
  // Opens an existing regular file `name` for appending after cutting it to
  // exactly `size` bytes; kFailedPrecondition if it holds fewer. Not synced: the
  // caller's next Sync makes the new size durable.
  virtual Result<File> OpenTruncated(const Dir& dir, std::string_view name, uint64_t size) = 0;

  // Writes all of `data` at the file's current end (retrying short writes).
  virtual Status Append(File& file, ByteSpan data) = 0;
  // Reads up to out.size() bytes at `offset`; fewer only at end of file.
  virtual Result<size_t> ReadAt(const File& file, uint64_t offset, std::span<uint8_t> out) = 0;
  // Makes the file's data and size durable (fdatasync is not enough for a new file).
  virtual Status Sync(File& file) = 0;
  virtual Result<FileInfo> Stat(const File& file) = 0;
  virtual Result<FileInfo> Stat(const Dir& dir) = 0;

  // A performance hint that makes nothing durable: starts writing back the given
  // written range now, so that a later Sync has little left to do and the disk
  // works while the caller computes.
  virtual Status StartWriteback(File& file, uint64_t offset, uint64_t length) = 0;

  // Renames `from` in `from_dir` to `to` in `to_dir`, atomically. Without
  // `replace`, kAlreadyExists if `to` exists (renameat2 RENAME_NOREPLACE).
  virtual Status Rename(const Dir& from_dir, std::string_view from, const Dir& to_dir,
                        std::string_view to, bool replace) = 0;
  // Makes the directory's entries (creations, renames, removals) durable.
  virtual Status SyncDir(const Dir& dir) = 0;
  // Removes the file `name`.
  virtual Status Unlink(const Dir& dir, std::string_view name) = 0;
  // Names in `dir`, without "." and "..", in no particular order.
  virtual Result<std::vector<std::string>> List(const Dir& dir) = 0;
};

// True if `name` is one plain path component: not empty, not "." or "..", no '/'
// and no NUL. Every Env method refuses other names with kInvalidArgument.
bool IsPlainName(std::string_view name);

}  // namespace coffer
