// WriteHandle: an SFTP file opened for writing, on top of the service's
// streaming Upload (which only appends).
//
// SFTP lets a client write at any offset. What real clients do, and what this
// supports:
//   - sequential writes, pipelined (OpenSSH sftp/scp, rclone, lftp, paramiko);
//   - writes arriving ahead of the next expected offset: held in memory, at most
//     `max_reorder_bytes` per handle, until the gap before them is written;
//   - a gap still open at close reads as zeros (as on a POSIX file);
//   - opening an existing file without TRUNC: the old content is the base, so a
//     write at its end appends (OpenSSH `reput`, `put -a`), and bytes not
//     overwritten are kept; APPEND writes always go to the end.
// Not supported: writing again below what has already been streamed to the
// store (more than `max_reorder_bytes` behind the furthest write); such a write
// fails with kFailedPrecondition and the upload can still be closed.
// Nothing is visible until Close() commits; destroying the handle discards it.
// If the store refuses data (quota, I/O), every later call fails with that
// error and nothing is committed.
// Not thread-safe (one SFTP session uses it).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "service/file_service.h"

namespace coffer::sftp {

class WriteHandle {
 public:
  // `base`: the current content when opened without TRUNC (may be null).
  WriteHandle(std::unique_ptr<service::Upload> upload, std::unique_ptr<service::Download> base,
              bool append, size_t max_reorder_bytes);

  Status Write(uint64_t offset, std::span<const uint8_t> data);
  // Size the file will have if closed now.
  uint64_t Size() const;
  // Fills gaps, streams the rest of the base, and commits.
  Result<service::EntryInfo> Close();

 private:
  Status Stream(std::span<const uint8_t> data);
  // Streams base content (or zeros past its end) up to `offset`.
  Status FillTo(uint64_t offset);
  Status Drain();

  std::unique_ptr<service::Upload> upload_;
  std::unique_ptr<service::Download> base_;
  uint64_t base_size_ = 0;
  bool append_;
  size_t max_reorder_bytes_;
  uint64_t next_ = 0;  // bytes streamed so far
  std::map<uint64_t, std::vector<uint8_t>> pending_;
  size_t pending_bytes_ = 0;
  uint64_t furthest_ = 0;  // end of the furthest write
  std::vector<uint8_t> scratch_;
  Status broken_;  // set when the upload refused data (quota, I/O); Close fails with it
};

}  // namespace coffer::sftp
