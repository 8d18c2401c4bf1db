// WriteBehind: appends sealed batches to a blob's temporary file on a helper
// thread, so that write(2) and its copy into the page cache run beside sealing
// and hashing. It also starts writeback every kWritebackStep bytes so that the
// final fsync finds little left to do.
//
// The first kInlineBytes are written inline: small blobs never start a thread.
// At most kMaxBuffers batches exist at once; Hand blocks while the helper is
// behind. The first error is sticky: it is returned by the next Hand or Drain,
// and nothing more is written after it. Writes happen in hand-off order, so the
// file holds exactly the bytes handed, in order, once Drain returns ok.
// Used by one thread at a time (besides its own helper). `env` and `file` must
// outlive it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "util/bytes.h"
#include "util/env.h"
#include "util/status.h"

namespace coffer::blob {

class WriteBehind {
 public:
  static constexpr uint64_t kInlineBytes = 4 * 1024 * 1024;
  static constexpr uint64_t kWritebackStep = 8 * 1024 * 1024;
  static constexpr size_t kMaxBuffers = 4;

  WriteBehind(Env* env, File* file) : env_(env), file_(file) {}
  ~WriteBehind();
  WriteBehind(const WriteBehind&) = delete;
  WriteBehind& operator=(const WriteBehind&) = delete;

  // Queues buffer[0, len) for writing and leaves in `buffer` one to fill next,
  // of at least the same size (its contents are undefined).
  Status Hand(Bytes& buffer, size_t len);
  // Waits until everything handed is written; the first error, if any.
  Status Drain();

 private:
  struct Batch {
    Bytes bytes;
    size_t len = 0;
  };

  Status Write(ByteSpan data);  // the actual append, on whichever thread
  void Run();
  void Stop();

  Env* const env_;
  File* const file_;
  uint64_t handed_ = 0;        // caller side
  uint64_t written_ = 0;       // writer side: bytes appended
  uint64_t written_back_ = 0;  // writer side: bytes whose writeback was started
  std::thread helper_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> queued_;  // guarded by mu_
  std::vector<Bytes> spare_;  // guarded by mu_
  size_t buffers_ = 1;        // guarded by mu_; buffers in existence
  bool busy_ = false;         // guarded by mu_; the helper holds a batch
  bool closing_ = false;      // guarded by mu_
  Status error_;              // guarded by mu_; the first failure
};

}  // namespace coffer::blob
