#include "blob/write_behind.h"

namespace coffer::blob {

WriteBehind::~WriteBehind() { Stop(); }

Status WriteBehind::Write(ByteSpan data) {
  COFFER_RETURN_IF_ERROR(env_->Append(*file_, data));
  written_ += data.size();
  if (written_ - written_back_ >= kWritebackStep) {
    // Only a hint: a real I/O problem shows up again at Sync.
    (void)env_->StartWriteback(*file_, written_back_, written_ - written_back_);
    written_back_ = written_;
  }
  return Status::Ok();
}

Status WriteBehind::Hand(Bytes& buffer, size_t len) {
  const size_t capacity = buffer.size();
  if (!helper_.joinable() && handed_ + len <= kInlineBytes) {
    handed_ += len;
    return Write({buffer.data(), len});
  }
  if (!helper_.joinable()) helper_ = std::thread([this] { Run(); });
  handed_ += len;
  std::unique_lock lock(mu_);
  if (!error_.ok()) return error_;
  queued_.push_back(Batch{std::move(buffer), len});
  cv_.notify_all();
  cv_.wait(lock, [this] { return !spare_.empty() || buffers_ < kMaxBuffers || !error_.ok(); });
  if (!spare_.empty()) {
    buffer = std::move(spare_.back());
    spare_.pop_back();
  } else {
    ++buffers_;
  }
  if (buffer.size() < capacity) buffer.resize(capacity);
  return error_;
}

Status WriteBehind::Drain() {
  if (!helper_.joinable()) return Status::Ok();  // everything was written inline
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return (queued_.empty() && !busy_) || !error_.ok(); });
  return error_;
}

void WriteBehind::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return !queued_.empty() || closing_; });
    if (queued_.empty()) return;
    Batch batch = std::move(queued_.front());
    queued_.pop_front();
    Status s;
    if (error_.ok()) {
      busy_ = true;
      lock.unlock();
      s = Write({batch.bytes.data(), batch.len});
      lock.lock();
      busy_ = false;
    }
    if (!s.ok() && error_.ok()) error_ = s;
    spare_.push_back(std::move(batch.bytes));
    cv_.notify_all();
  }
}

void WriteBehind::Stop() {
  if (!helper_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    cv_.notify_all();
  }
  helper_.join();
}

}  // namespace coffer::blob
