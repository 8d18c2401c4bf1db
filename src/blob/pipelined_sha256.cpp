#include "blob/pipelined_sha256.h"

#include <algorithm>
#include <cstring>

namespace coffer::blob {

PipelinedSha256::~PipelinedSha256() { Stop(); }

void PipelinedSha256::Update(ByteSpan data) {
  if (!helper_.joinable() && seen_ + data.size() <= kInlineBytes) {
    sha_.Update(data);
    seen_ += data.size();
    return;
  }
  if (!helper_.joinable()) Start();
  seen_ += data.size();
  while (!data.empty()) {
    const size_t n = std::min(data.size(), kBlockBytes - current_.len);
    std::memcpy(current_.bytes.data() + current_.len, data.data(), n);
    current_.len += n;
    data = data.subspan(n);
    if (current_.len == kBlockBytes) Hand(std::move(current_));
  }
}

Result<crypto::Sha256Digest> PipelinedSha256::Finish() {
  if (helper_.joinable()) {
    if (current_.len > 0) Hand(std::move(current_));
    Stop();
  }
  seen_ = 0;
  return sha_.Finish();
}

void PipelinedSha256::Start() {
  current_ = Block{Bytes(kBlockBytes), 0};
  helper_ = std::thread([this] { Run(); });
}

void PipelinedSha256::Hand(Block block) {
  std::unique_lock lock(mu_);
  queued_.push_back(std::move(block));
  cv_.notify_all();
  // Take back a spare block, or make one while under the memory bound.
  cv_.wait(lock, [this] { return !spare_.empty() || blocks_ < kMaxBlocks; });
  if (!spare_.empty()) {
    current_ = std::move(spare_.back());
    spare_.pop_back();
  } else {
    ++blocks_;
    lock.unlock();
    current_ = Block{Bytes(kBlockBytes), 0};
  }
  current_.len = 0;
}

void PipelinedSha256::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return !queued_.empty() || closing_; });
    if (queued_.empty()) return;  // closing, and everything is hashed
    Block block = std::move(queued_.front());
    queued_.pop_front();
    lock.unlock();
    sha_.Update({block.bytes.data(), block.len});
    lock.lock();
    spare_.push_back(std::move(block));
    cv_.notify_all();
  }
}

void PipelinedSha256::Stop() {
  if (!helper_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    cv_.notify_all();
  }
  helper_.join();
  std::lock_guard lock(mu_);
  closing_ = false;
  queued_.clear();
}

}  // namespace coffer::blob
