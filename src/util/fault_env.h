// FaultInjectionEnv: an Env for tests that fails the Nth mutating or durability
// operation, so a test can walk a protocol step by step (fail at 1, 2, ... until
// an attempt completes) and check what a crash or an I/O error at each step
// leaves behind. Models: LevelDB db/fault_injection_test.cc, Beast fail_count.
//
// Counted operations: MakeDir, CreateExclusive, OpenTruncated, Append, Sync, Rename, SyncDir and
// Unlink. Reads, opens of existing files, listings and the StartWriteback hint
// are passed through uncounted.
// A failed operation does nothing and returns kIo. In crash mode every operation
// from the Nth on fails, as if the process had died there and could not clean up.
// Thread-safe (the counter is atomic).
#pragma once

#include <atomic>
#include <cstdint>

#include "util/env.h"

namespace coffer {

class FaultInjectionEnv final : public Env {
 public:
  explicit FaultInjectionEnv(Env* base) : base_(base) {}

  // Fails the `n`th counted operation from now on (1 = the next one); 0 disarms.
  // With `crash`, that operation and every later one fail.
  void FailAt(uint64_t n, bool crash = false);
  // Counted operations since construction or the last FailAt.
  uint64_t op_count() const { return count_.load(); }
  // How many operations were refused.
  uint64_t failures() const { return failures_.load(); }

  Result<Dir> OpenRoot(const std::string& path, bool create) override;
  Result<Dir> OpenDir(const Dir& dir, std::string_view name) override;
  Status MakeDir(const Dir& dir, std::string_view name) override;
  Result<File> CreateExclusive(const Dir& dir, std::string_view name) override;
  Result<File> OpenForRead(const Dir& dir, std::string_view name) override;
  Result<File> OpenTruncated(const Dir& dir, std::string_view name, uint64_t size) override;
  Status Append(File& file, ByteSpan data) override;
  Result<size_t> ReadAt(const File& file, uint64_t offset, std::span<uint8_t> out) override;
  Status Sync(File& file) override;
  Status StartWriteback(File& file, uint64_t offset, uint64_t length) override;
  Result<FileInfo> Stat(const File& file) override;
  Result<FileInfo> Stat(const Dir& dir) override;
  Status Rename(const Dir& from_dir, std::string_view from, const Dir& to_dir, std::string_view to,
                bool replace) override;
  Status SyncDir(const Dir& dir) override;
  Status Unlink(const Dir& dir, std::string_view name) override;
  Result<std::vector<std::string>> List(const Dir& dir) override;

 private:
  // Counts one operation; a non-ok Status means "fail it".
  Status Tick();

  Env* base_;
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> fail_at_{0};
  std::atomic<bool> crash_{false};
  std::atomic<uint64_t> failures_{0};
};

}  // namespace coffer
