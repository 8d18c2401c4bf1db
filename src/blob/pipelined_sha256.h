// PipelinedSha256: SHA-256 of a stream, computed on a helper thread once the
// stream is large, so that hashing runs beside sealing and writing instead of
// before them (SHA-256 costs twice what AES-GCM does per byte).
//
// The first kInlineBytes are hashed inline: small uploads never start a thread.
// After that, Update copies data into a bounded set of blocks (at most
// kMaxBlocks * kBlockBytes of memory) and blocks the caller when the hasher falls
// behind. The digest is the same as crypto::Sha256's. Used by one thread at a time.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "crypto/sha256.h"
#include "util/bytes.h"
#include "util/status.h"

namespace coffer::blob {

class PipelinedSha256 {
 public:
  static constexpr uint64_t kInlineBytes = 4 * 1024 * 1024;
  static constexpr size_t kBlockBytes = 1024 * 1024;
  static constexpr size_t kMaxBlocks = 4;

  PipelinedSha256() = default;
  ~PipelinedSha256();
  PipelinedSha256(const PipelinedSha256&) = delete;
  PipelinedSha256& operator=(const PipelinedSha256&) = delete;

  void Update(ByteSpan data);
  Result<crypto::Sha256Digest> Finish();

 private:
  struct Block {
    Bytes bytes;  // kBlockBytes once in use
    size_t len = 0;
  };

  void Start();
  void Hand(Block block);  // queues a filled block for the helper
  void Run();              // the helper thread
  void Stop();

  uint64_t seen_ = 0;
  crypto::Sha256 sha_;  // owned by the helper while it runs
  std::thread helper_;
  Block current_;  // being filled by the caller

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Block> queued_;  // guarded by mu_
  std::vector<Block> spare_;  // guarded by mu_
  size_t blocks_ = 1;         // guarded by mu_; all blocks in existence
  bool closing_ = false;      // guarded by mu_
};

}  // namespace coffer::blob
