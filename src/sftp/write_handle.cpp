#include "sftp/write_handle.h"

#include <algorithm>

namespace coffer::sftp {

namespace {
constexpr size_t kFillChunk = 256 * 1024;
}

WriteHandle::WriteHandle(std::unique_ptr<service::Upload> upload,
                         std::unique_ptr<service::Download> base, bool append,
                         size_t max_reorder_bytes)
    : upload_(std::move(upload)),
      base_(std::move(base)),
      base_size_(base_ ? static_cast<uint64_t>(base_->info().size) : 0),
      append_(append),
      max_reorder_bytes_(max_reorder_bytes),
      furthest_(base_size_) {}

uint64_t WriteHandle::Size() const { return std::max(next_, furthest_); }

Status WriteHandle::Stream(std::span<const uint8_t> data) {
  if (!broken_.ok()) return broken_;
  Status st = upload_->Write(data);
  if (!st.ok()) {
    broken_ = st;  // the stored stream has a hole now: never commit it
    return st;
  }
  next_ += data.size();
  return Status::Ok();
}

Status WriteHandle::FillTo(uint64_t offset) {
  while (next_ < offset) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(offset - next_, kFillChunk));
    scratch_.assign(n, 0);
    if (next_ < base_size_) {
      n = static_cast<size_t>(std::min<uint64_t>(n, base_size_ - next_));
      COFFER_ASSIGN_OR_RETURN(size_t got, base_->ReadAt(next_, std::span(scratch_.data(), n)));
      if (got != n) return Conflict("the file changed while it was being appended to");
    }
    COFFER_RETURN_IF_ERROR(Stream(std::span(scratch_.data(), n)));
  }
  return Status::Ok();
}

// Streams held writes that now continue the stream; a held write that overlaps
// what was streamed contributes only its tail.
Status WriteHandle::Drain() {
  while (!pending_.empty() && pending_.begin()->first <= next_) {
    auto node = pending_.extract(pending_.begin());
    pending_bytes_ -= node.mapped().size();
    uint64_t end = node.key() + node.mapped().size();
    if (end > next_) {
      auto tail = std::span(node.mapped()).subspan(static_cast<size_t>(next_ - node.key()));
      COFFER_RETURN_IF_ERROR(Stream(tail));
    }
  }
  return Status::Ok();
}

Status WriteHandle::Write(uint64_t offset, std::span<const uint8_t> data) {
  if (append_) offset = Size();
  if (offset > (uint64_t{1} << 62)) return InvalidArgument("offset out of range");
  uint64_t end = offset + data.size();
  if (offset < next_) {
    if (end <= next_)
      return FailedPrecondition(
          "rewriting data already stored is not supported; write files sequentially");
    return FailedPrecondition("overlapping write below the stored data is not supported");
  }
  // The base's bytes before this write are kept: stream them now, unless other
  // writes are still expected in between (they are held until then).
  if (pending_.empty() && next_ < base_size_) {
    COFFER_RETURN_IF_ERROR(FillTo(std::min(offset, base_size_)));
  }
  if (offset == next_) {
    COFFER_RETURN_IF_ERROR(Stream(data));
    furthest_ = std::max(furthest_, end);
    return Drain();
  }
  if (pending_bytes_ + data.size() > max_reorder_bytes_) {
    return FailedPrecondition("write too far ahead of the data written so far");
  }
  furthest_ = std::max(furthest_, end);
  auto [it, inserted] = pending_.try_emplace(offset, data.begin(), data.end());
  if (!inserted) {  // the same offset again: the later write wins if it is longer
    if (data.size() > it->second.size()) {
      pending_bytes_ -= it->second.size();
      it->second.assign(data.begin(), data.end());
    } else {
      std::copy(data.begin(), data.end(), it->second.begin());
      return Status::Ok();
    }
  }
  pending_bytes_ += data.size();
  return Status::Ok();
}

Result<service::EntryInfo> WriteHandle::Close() {
  if (!broken_.ok()) return broken_;
  while (!pending_.empty()) {
    COFFER_RETURN_IF_ERROR(FillTo(pending_.begin()->first));
    COFFER_RETURN_IF_ERROR(Drain());
  }
  COFFER_RETURN_IF_ERROR(FillTo(Size()));
  return upload_->Commit();
}

}  // namespace coffer::sftp
