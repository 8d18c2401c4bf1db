// App: one opened data directory — configuration, keys, metadata, content and
// the services on top — for `coffer serve` and every admin command.
//
// Opening takes a shared lock on <data>/coffer.lock so commands and the server
// can run side by side; `exclusive` (key rotation) refuses to run if anything
// else has the directory open, since a running server caches the keys.
#pragma once

#include <filesystem>
#include <memory>

#include "audit/signing_key.h"
#include "blob/blob_store.h"
#include "config/config.h"
#include "crypto/keyring.h"
#include "events/event_bus.h"
#include "service/activity.h"
#include "service/admin_service.h"
#include "service/file_service.h"
#include "service/mfa.h"
#include "service/resumable_uploads.h"
#include "service/sessions.h"
#include "store/metadata_store.h"

namespace coffer::app {

class FileLock {
 public:
  // Non-blocking flock on `path` (created 0600); kFailedPrecondition if held.
  static Result<FileLock> Acquire(const std::filesystem::path& path, bool exclusive,
                                  std::string_view what_holds_it);
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

class App {
 public:
  // `config_file` is <data>/coffer.toml or a file given with --config.
  static Result<std::unique_ptr<App>> Open(const std::filesystem::path& config_file,
                                           bool exclusive);

  const config::Config& config() const { return config_; }
  crypto::Keyring& keyring() { return keyring_; }
  store::MetadataStore& store() { return *store_; }
  blob::BlobStore& blobs() { return *blobs_; }
  events::EventBus& bus() { return bus_; }
  service::ActivityLog& activity() { return *activity_; }
  service::FileService& files() { return *files_; }
  service::AdminService& admin() { return *admin_; }
  service::SessionService& sessions() { return *sessions_; }
  service::MfaService& mfa() { return *mfa_; }
  service::ResumableUploads& uploads() { return *uploads_; }
  const audit::SigningKey& audit_key() const { return *audit_key_; }

  // Removes temporary and unreferenced blobs left by a crash. Before serving only.
  Result<uint64_t> SweepOrphans();

 private:
  Status OpenAuditKey();
  App(config::Config config, crypto::Keyring keyring, FileLock lock)
      : config_(std::move(config)), keyring_(std::move(keyring)), lock_(std::move(lock)) {}

  config::Config config_;
  crypto::Keyring keyring_;
  FileLock lock_;
  std::unique_ptr<crypto::RowMac> row_mac_;  // the store keeps a reference
  std::unique_ptr<store::MetadataStore> store_;
  std::unique_ptr<blob::BlobStore> blobs_;
  events::EventBus bus_;
  std::unique_ptr<service::ActivityLog> activity_;
  std::unique_ptr<service::FileService> files_;
  std::unique_ptr<service::AdminService> admin_;
  std::unique_ptr<service::SessionService> sessions_;
  std::unique_ptr<service::MfaService> mfa_;
  std::unique_ptr<service::ResumableUploads> uploads_;
  std::unique_ptr<audit::SigningKey> audit_key_;  // the activity log keeps a pointer
};

// Where the configuration of a data directory lives.
inline std::filesystem::path ConfigFileOf(const std::filesystem::path& data_dir) {
  return data_dir / config::kConfigFileName;
}

}  // namespace coffer::app
