#include "util/env.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace coffer {

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.Release();
  }
  return *this;
}

bool FileInfo::is_regular() const { return S_ISREG(mode); }
bool FileInfo::is_directory() const { return S_ISDIR(mode); }

bool IsPlainName(std::string_view name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find_first_of(std::string_view("/\0", 2)) == std::string_view::npos;
}

namespace {

// The single place where errno turns into a Status. `what` is a fixed phrase.
Status FromErrno(int err, std::string_view what) {
  std::string message = std::string(what) + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
      return NotFound(std::move(message));
    case EEXIST:
    case ENOTEMPTY:
      return AlreadyExists(std::move(message));
    case EACCES:
    case EPERM:
    case ELOOP:
    case EXDEV:
      return PermissionDenied(std::move(message));
    default:
      return IoError(std::move(message));
  }
}

Status CheckName(std::string_view name) {
  if (!IsPlainName(name)) return InvalidArgument("not a plain file name");
  return Status::Ok();
}

Result<UniqueFd> OpenBeneath(int dir_fd, std::string_view name, uint64_t flags, uint64_t mode,
                             std::string_view what) {
  COFFER_RETURN_IF_ERROR(CheckName(name));
  std::string c_name(name);
  open_how how{};
  how.flags = flags | O_CLOEXEC | O_NOFOLLOW;
  how.mode = mode;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    long fd = ::syscall(SYS_openat2, dir_fd, c_name.c_str(), &how, sizeof how);
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    if (errno != EINTR && errno != EAGAIN) return FromErrno(errno, what);
  }
}

Result<FileInfo> StatFd(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return FromErrno(errno, "cannot inspect a file");
  return FileInfo{static_cast<uint64_t>(st.st_size), st.st_mode};
}

class PosixEnv final : public Env {
 public:
  Result<Dir> OpenRoot(const std::string& path, bool create) override {
    if (create && ::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
      return FromErrno(errno, "cannot create a storage directory");
    }
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return FromErrno(errno, "cannot open a storage directory");
    return Dir(UniqueFd(fd));
  }

  Result<Dir> OpenDir(const Dir& dir, std::string_view name) override {
    COFFER_ASSIGN_OR_RETURN(UniqueFd fd, OpenBeneath(dir.fd(), name, O_RDONLY | O_DIRECTORY, 0,
                                                     "cannot open a directory"));
    return Dir(std::move(fd));
  }

  Status MakeDir(const Dir& dir, std::string_view name) override {
    COFFER_RETURN_IF_ERROR(CheckName(name));
    // mkdirat does not follow a symlink in the last component, and the name is
    // one component, so it cannot land outside `dir`.
    if (::mkdirat(dir.fd(), std::string(name).c_str(), 0700) != 0) {
      return FromErrno(errno, "cannot create a directory");
    }
    return Status::Ok();
  }

  Result<File> CreateExclusive(const Dir& dir, std::string_view name) override {
    COFFER_ASSIGN_OR_RETURN(UniqueFd fd, OpenBeneath(dir.fd(), name, O_WRONLY | O_CREAT | O_EXCL,
                                                     0600, "cannot create a file"));
    return File(std::move(fd));
  }

  Result<File> OpenForRead(const Dir& dir, std::string_view name) override {
    COFFER_ASSIGN_OR_RETURN(UniqueFd fd,
                            OpenBeneath(dir.fd(), name, O_RDONLY, 0, "cannot open a file"));
    COFFER_ASSIGN_OR_RETURN(FileInfo info, StatFd(fd.get()));
    if (!info.is_regular()) return PermissionDenied("cannot open a file: not a regular file");
    return File(std::move(fd));
  }

  Result<File> OpenTruncated(const Dir& dir, std::string_view name, uint64_t size) override {
    COFFER_ASSIGN_OR_RETURN(
        UniqueFd fd, OpenBeneath(dir.fd(), name, O_WRONLY | O_APPEND, 0, "cannot open a file"));
    COFFER_ASSIGN_OR_RETURN(FileInfo info, StatFd(fd.get()));
    if (!info.is_regular()) return PermissionDenied("cannot open a file: not a regular file");
    if (info.size < size) return FailedPrecondition("the file is shorter than expected");
    if (::ftruncate(fd.get(), static_cast<off_t>(size)) != 0) {
      return FromErrno(errno, "cannot truncate a file");
    }
    return File(std::move(fd));
  }

  Status Append(File& file, ByteSpan data) override {
    while (!data.empty()) {
      ssize_t n = ::write(file.fd(), data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return FromErrno(errno, "cannot write a file");
      }
      data = data.subspan(static_cast<size_t>(n));
    }
    return Status::Ok();
  }

  Result<size_t> ReadAt(const File& file, uint64_t offset, std::span<uint8_t> out) override {
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::pread(file.fd(), out.data() + done, out.size() - done,
                          static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return FromErrno(errno, "cannot read a file");
      }
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    return done;
  }

  Status Sync(File& file) override {
    if (::fsync(file.fd()) != 0) return FromErrno(errno, "cannot flush a file to disk");
    return Status::Ok();
  }

  Status StartWriteback(File& file, uint64_t offset, uint64_t length) override {
    if (::sync_file_range(file.fd(), static_cast<off_t>(offset), static_cast<off_t>(length),
                          SYNC_FILE_RANGE_WRITE) != 0) {
      return FromErrno(errno, "cannot write a file back");
    }
    return Status::Ok();
  }

  Result<FileInfo> Stat(const File& file) override { return StatFd(file.fd()); }
  Result<FileInfo> Stat(const Dir& dir) override { return StatFd(dir.fd()); }

  Status Rename(const Dir& from_dir, std::string_view from, const Dir& to_dir, std::string_view to,
                bool replace) override {
    COFFER_RETURN_IF_ERROR(CheckName(from));
    COFFER_RETURN_IF_ERROR(CheckName(to));
    if (::renameat2(from_dir.fd(), std::string(from).c_str(), to_dir.fd(), std::string(to).c_str(),
                    replace ? 0 : RENAME_NOREPLACE) != 0) {
      return FromErrno(errno, "cannot rename a file");
    }
    return Status::Ok();
  }

  Status SyncDir(const Dir& dir) override {
    if (::fsync(dir.fd()) != 0) return FromErrno(errno, "cannot flush a directory to disk");
    return Status::Ok();
  }

  Status Unlink(const Dir& dir, std::string_view name) override {
    COFFER_RETURN_IF_ERROR(CheckName(name));
    if (::unlinkat(dir.fd(), std::string(name).c_str(), 0) != 0) {
      return FromErrno(errno, "cannot remove a file");
    }
    return Status::Ok();
  }

  Result<std::vector<std::string>> List(const Dir& dir) override {
    // fdopendir takes ownership of its descriptor, so give it a duplicate; a
    // fresh open of "." reads from the start whatever the handle has seen.
    UniqueFd fd(::openat(dir.fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) return FromErrno(errno, "cannot list a directory");
    DIR* d = ::fdopendir(fd.get());
    if (d == nullptr) return FromErrno(errno, "cannot list a directory");
    fd.Release();
    std::vector<std::string> names;
    errno = 0;
    while (dirent* e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    int err = errno;
    ::closedir(d);
    if (err != 0) return FromErrno(err, "cannot list a directory");
    return names;
  }
};

}  // namespace

Env* Env::Default() {
  static PosixEnv env;  // stateless, so safe to use from any thread until exit
  return &env;
}

}  // namespace coffer
