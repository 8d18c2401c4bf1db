#include "coffer/app.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

namespace coffer::app {

Result<FileLock> FileLock::Acquire(const std::filesystem::path& path, bool exclusive,
                                   std::string_view what_holds_it) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return FailedPrecondition("cannot open lock file " + path.string());
  if (::flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
    ::close(fd);
    return FailedPrecondition("the data directory is in use by " + std::string(what_holds_it));
  }
  return FileLock(fd);
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<App>> App::Open(const std::filesystem::path& config_file, bool exclusive) {
  std::error_code ec;
  if (!std::filesystem::exists(config_file, ec)) {
    return FailedPrecondition("no configuration at " + config_file.string() +
                              " (run `coffer init --data DIR` first)");
  }
  COFFER_ASSIGN_OR_RETURN(config::Config config, config::LoadConfig(config_file));
  COFFER_ASSIGN_OR_RETURN(
      FileLock lock, FileLock::Acquire(config.data_dir / "coffer.lock", exclusive,
                                       exclusive ? "another coffer process (stop the server first)"
                                                 : "a command that needs it alone (key rotation)"));
  COFFER_ASSIGN_OR_RETURN(crypto::Keyring keyring, crypto::Keyring::Load(config.storage.keys));
  std::unique_ptr<App> app(new App(std::move(config), std::move(keyring), std::move(lock)));
  const auto& cfg = app->config_;
  app->row_mac_ = std::make_unique<crypto::RowMac>(app->keyring_.row_mac_key());
  COFFER_ASSIGN_OR_RETURN(app->store_,
                          store::OpenSqliteStore(cfg.storage.database.string(), *app->row_mac_));
  blob::BlobStoreOptions blob_options;
  blob_options.chunk_size = cfg.storage.chunk_size;
  blob_options.max_blob_bytes = cfg.limits.max_file_bytes;
  COFFER_ASSIGN_OR_RETURN(app->blobs_, blob::OpenLocalBlobStore(cfg.storage.blobs.string(),
                                                                app->keyring_, blob_options));
  app->activity_ =
      std::make_unique<service::ActivityLog>(*app->store_, app->bus_, service::SystemClock());
  app->store_->SetIntegrityListener([log = app->activity_.get()](const store::IntegrityAlert& a) {
    log->QueueIntegrityAlert(a);
  });
  COFFER_RETURN_IF_ERROR(app->OpenAuditKey());
  app->files_ =
      std::make_unique<service::FileService>(cfg, *app->store_, *app->blobs_, *app->activity_);
  app->admin_ =
      std::make_unique<service::AdminService>(cfg, *app->store_, *app->activity_, *app->files_);
  app->mfa_ = std::make_unique<service::MfaService>(
      cfg, *app->store_, *app->activity_, app->admin_->defender(), app->keyring_.row_mac_key());
  app->sessions_ = std::make_unique<service::SessionService>(cfg, *app->store_, *app->activity_,
                                                             *app->admin_, app->mfa_.get());
  app->uploads_ = std::make_unique<service::ResumableUploads>(cfg, *app->store_, *app->blobs_,
                                                              *app->activity_, *app->files_);
  return app;
}

Status App::OpenAuditKey() {
  auto loaded = audit::SigningKey::Load(config_.storage.keys);
  bool created = !loaded.ok() && loaded.status().code() == Code::kNotFound;
  // A data directory made before signed checkpoints existed: make the key now.
  auto key = created ? audit::SigningKey::Create(config_.storage.keys) : std::move(loaded);
  if (!key.ok()) return key.status();
  audit_key_ = std::make_unique<audit::SigningKey>(std::move(*key));
  activity_->EnableCheckpoints(audit_key_.get(), config_.audit.checkpoint_every_records,
                               config_.audit.checkpoint_every_seconds);
  if (created) {
    spdlog::warn("created the audit signing key {}/{}", config_.storage.keys.string(),
                 audit::kSigningKeyFile);
    service::Fact fact{"audit.key.create",
                       std::string(audit::kSigningKeyFile),
                       0,
                       0,
                       "",
                       "signing key created on first start: " + ToHex(audit_key_->public_key())};
    activity_->Record(service::Principal::System(), {"system", "local", ""}, fact, Status::Ok());
  }
  return Status::Ok();
}

Result<uint64_t> App::SweepOrphans() {
  return blobs_->SweepOrphans([this](const blob::BlobId& id) {
    auto referenced = store_->BlobReferenced(id.Hex());
    // When in doubt keep it: deleting a referenced blob would lose data.
    return !referenced.ok() || *referenced;
  });
}

}  // namespace coffer::app
