// ResumableUploads: uploads that survive a dropped connection and a restart
// (the service side of tus 1.0; docs/http.md "Resumable uploads").
//
// An upload is created with its target path and final size; its content is a
// partial blob (blob_store.h PartialWriter) and its state a row in the metadata
// store holding ids and offsets only (THREAT-MODEL invariant 3). The offset this
// service reports is always durable: it is written to the store only after the
// content up to it has been fsynced, so what is reported after a crash never
// exceeds what is stored. Offsets advance in whole chunks ([storage]
// chunk_size_kib) until the last byte; bytes of a partly filled chunk at the end
// of a request are dropped and must be sent again from the reported offset.
//
// An upload belongs to the user who created it: for anybody else it does not
// exist (kNotFound). Creation is authorized and sized against quotas like an
// upload (FileService::PlanUpload); completion goes through FileService::CommitBlob,
// so authorization, names, quotas, versions, the "file.upload" record and its
// event are exactly those of a streamed upload. Creation ("upload.create"),
// termination ("upload.terminate") and expiry ("upload.expire") are recorded too,
// as are refused status and append requests.
//
// Limits ([uploads]): max_bytes per upload, max_open_per_user, and expiry_seconds
// after the last durable progress, when an abandoned upload is removed (lazily
// when touched, by PurgeExpired, and at start).
//
// Thread-safe. One append (UploadPatch) at a time per upload: a second gets
// kConflict while the first is open.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>

#include "service/file_service.h"

namespace coffer::service {

struct UploadStatus {
  std::string id;  // 32 hex digits
  std::string path;
  uint64_t length = 0;
  uint64_t offset = 0;  // durable bytes
  int64_t expires_at = 0;
  std::optional<EntryInfo> file;  // set once the upload completed (and is gone)
};

// One append to an upload. Destroyed without Finish() or Interrupted(), what
// arrived since the last durable point is dropped (it was never reported).
class UploadPatch {
 public:
  virtual ~UploadPatch() = default;
  // kLimitExceeded past the declared length.
  virtual Status Write(std::span<const uint8_t> data) = 0;
  // The request body ended: makes it durable and, at the last byte, commits the file.
  virtual Result<UploadStatus> Finish() = 0;
  // The connection broke: keeps what arrived, in whole chunks.
  virtual void Interrupted() = 0;
};

class ResumableUploads {
 public:
  // Refusal detail for a user at [uploads] max_open_per_user (kLimitExceeded).
  static constexpr std::string_view kTooManyOpen = "too many uploads in progress";

  ResumableUploads(const config::Config& config, store::MetadataStore& store,
                   blob::BlobStore& blobs, ActivityLog& activity, FileService& files);

  // The largest upload that may be created ([uploads] max_bytes, [limits] max_file_bytes).
  uint64_t max_bytes() const {
    return std::min<uint64_t>(config_.uploads.max_bytes, config_.limits.max_file_bytes);
  }
  // kLimitExceeded over [uploads] max_bytes, the file size limit or the open
  // upload count; kQuotaExceeded over a quota. A zero-length upload completes here.
  Result<UploadStatus> Create(const Principal& p, const Context& c, std::string_view path,
                              uint64_t length);
  Result<UploadStatus> Get(const Principal& p, const Context& c, std::string_view id);
  // kConflict if `offset` is not the upload's durable offset or another append runs.
  Result<std::unique_ptr<UploadPatch>> BeginPatch(const Principal& p, const Context& c,
                                                  std::string_view id, uint64_t offset);
  Status Terminate(const Principal& p, const Context& c, std::string_view id);
  // Removes uploads idle past their expiry; returns how many.
  Result<uint64_t> PurgeExpired(const Context& c);
  // Before serving: PurgeExpired, then partial blobs that no upload refers to
  // (left by a crash between creating one and recording it).
  Result<uint64_t> SweepAtStart(const Context& c);

 private:
  friend class PatchImpl;

  // The caller's live upload `id` (kNotFound otherwise; an expired one is removed).
  Result<store::UploadRow> Load(const Principal& p, std::string_view id);
  // Removes content and row; records `action` as `p`.
  Status Remove(const store::UploadRow& row, const Principal& p, const Context& c,
                std::string_view action);
  // Marks `id` busy; false if it already is.
  bool Claim(const std::string& id);
  void Release(const std::string& id);
  Result<UploadStatus> Complete(const Principal& p, const Context& c, const store::UploadRow& row,
                                blob::PartialWriter& writer);
  int64_t NowSeconds() const;
  static UploadStatus StatusOf(const store::UploadRow& row);

  const config::Config& config_;
  store::MetadataStore& store_;
  blob::BlobStore& blobs_;
  ActivityLog& activity_;
  FileService& files_;
  std::mutex mu_;
  std::set<std::string> busy_;  // guarded by mu_: uploads with an append open
};

}  // namespace coffer::service
