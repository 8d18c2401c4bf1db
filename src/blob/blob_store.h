// BlobStore: encrypted, authenticated content, streamed in and out.
//
// A blob is named by a random 128-bit id, never by a user's file name, and lives
// outside any served path (THREAT-MODEL invariant 5). Each blob has its own random
// data key; content is sealed in fixed-size chunks, each an AES-256-GCM message
// whose associated data binds the blob id, the chunk index and a last-chunk flag,
// so chunks cannot be reordered, truncated or swapped between blobs, and a range
// read decrypts only the chunks it touches. The data key is stored only wrapped by
// the Keyring's current KEK; the wrapped key travels in BlobRef and is kept by the
// metadata store, so a blob file alone or a database alone yields no plaintext.
//
// Commit protocol: a BlobWriter writes to a temporary file, and Finish() fsyncs it,
// renames it to its final name and fsyncs the directory. Only then does the caller
// commit the metadata row that references it. A crash before that leaves an
// orphan, removed by SweepOrphans at start. Partial blobs (resumable uploads)
// live apart and are never swept as orphans: their owner removes them. Plaintext SHA-256 is
// computed while streaming in. Nothing holds a whole blob in memory.
//
// Thread-safety: BlobStore methods may be called concurrently; one BlobWriter or
// BlobReader is used by one thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/keyring.h"
#include "util/bytes.h"
#include "util/status.h"

namespace coffer {
class Env;  // util/env.h: the file-system interface (real or fault-injecting)
}  // namespace coffer

namespace coffer::blob {

struct BlobId {
  std::array<uint8_t, 16> bytes{};
  static BlobId Random();
  static Result<BlobId> FromHex(std::string_view hex);  // 32 lower-case hex digits
  std::string Hex() const;
  bool operator==(const BlobId&) const = default;
};

// Everything needed to read a blob back; stored in the metadata row.
struct BlobRef {
  BlobId id;
  uint64_t size = 0;                 // plaintext bytes
  std::array<uint8_t, 32> sha256{};  // of the plaintext
  uint32_t chunk_size = 0;
  crypto::WrappedKey key;
};

class BlobWriter {
 public:
  virtual ~BlobWriter() = default;  // an unfinished writer removes its temporary file
  // Appends plaintext. kLimitExceeded past the writer's size limit; kIo on failure.
  virtual Status Write(std::span<const uint8_t> data) = 0;
  virtual uint64_t bytes_written() const = 0;
  // Seals the last chunk, makes the blob durable under its final name, returns its ref.
  virtual Result<BlobRef> Finish() = 0;
};

class BlobReader {
 public:
  virtual ~BlobReader() = default;
  virtual uint64_t size() const = 0;
  // Reads up to out.size() plaintext bytes at `offset`; returns the count (0 at end).
  // kIntegrity if any chunk fails authentication or the blob is truncated/extended:
  // wrong bytes are never returned.
  virtual Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) = 0;
};

// A blob written across several sessions: the content of a resumable upload.
// Its size is fixed when it is created, so every chunk but the last is sealed as
// soon as it is full and the last one when the final byte arrives; the sealed
// chunks are the same as a BlobWriter's. What survives a crash is exactly what
// Sync() reported: whole chunks, or the whole blob.
struct PartialRef {
  BlobId id;
  uint64_t size = 0;  // declared plaintext bytes
  uint32_t chunk_size = 0;
  crypto::WrappedKey key;
};

class PartialWriter {
 public:
  virtual ~PartialWriter() = default;  // bytes not yet synced are dropped; the file stays
  // Appends plaintext; kLimitExceeded past the declared size.
  virtual Status Write(std::span<const uint8_t> data) = 0;
  virtual uint64_t bytes_written() const = 0;  // plaintext received, counted from 0
  // Writes and fsyncs every sealed chunk. Returns the durable offset: the size
  // once every byte has arrived, otherwise the bytes in whole sealed chunks (a
  // partly filled chunk is not kept).
  virtual Result<uint64_t> Sync() = 0;
  // Once Sync() has returned the size: moves the blob to its final name, makes
  // that durable, and returns its ref with the SHA-256 read back from storage.
  virtual Result<BlobRef> Finish() = 0;
};

struct BlobStoreOptions {
  uint32_t chunk_size = 64 * 1024;
  uint64_t max_blob_bytes = uint64_t{1} << 40;  // per-writer hard limit (1 TiB)
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  virtual Result<std::unique_ptr<BlobWriter>> Create() = 0;
  virtual Result<std::unique_ptr<BlobReader>> Open(const BlobRef& ref) = 0;
  // Removes a finished blob; kNotFound if absent.
  virtual Status Remove(const BlobId& id) = 0;
  // A new, empty partial blob of `size` bytes, durable under its own name.
  virtual Result<PartialRef> CreatePartial(uint64_t size) = 0;
  // Reopens a partial blob at `durable` bytes (0 or a value its Sync() returned),
  // cutting off anything written after that. kNotFound if it is gone.
  virtual Result<std::unique_ptr<PartialWriter>> OpenPartial(const PartialRef& ref,
                                                             uint64_t durable) = 0;
  virtual Status RemovePartial(const BlobId& id) = 0;  // kNotFound if absent
  virtual Result<std::vector<BlobId>> ListPartials() = 0;
  // Removes temporary files and every finished blob for which `is_referenced`
  // returns false. Call at start, before serving. Returns the number removed.
  virtual Result<uint64_t> SweepOrphans(
      const std::function<bool(const BlobId&)>& is_referenced) = 0;
};

// The local backend: blobs under `root` (created 0700 if missing), opened beneath a
// directory handle with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), through `env`
// so tests can inject failures. `keyring` and `env` must outlive the store.
Result<std::unique_ptr<BlobStore>> OpenLocalBlobStore(const std::string& root,
                                                      const crypto::Keyring& keyring,
                                                      BlobStoreOptions options,
                                                      Env* env = nullptr /* real OS */);

}  // namespace coffer::blob
