// A real service stack in a temporary directory: keyring, SQLite store, local
// encrypted blob store, activity log with a settable clock.
#pragma once

#include <gtest/gtest.h>
#include <sodium.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "blob/blob_store.h"
#include "config/config.h"
#include "crypto/keyring.h"
#include "events/event_bus.h"
#include "service/admin_service.h"
#include "service/file_service.h"
#include "store/metadata_store.h"

namespace coffer::service::testing {

inline std::string RandomText(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

inline constexpr std::string_view kPassword = "a long enough secret";

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    dir_ = std::filesystem::temp_directory_path() /
           ("coffer-service-test-" + std::to_string(::getpid()) + "-" +
            std::to_string(counter_++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto cfg = config::ParseConfig("", dir_ / "coffer.toml");
    ASSERT_TRUE(cfg.ok());
    config_ = *cfg;
    config_.storage.chunk_size = 16 * 1024;
    config_.accounts.min_password_length = 8;
    auto kr = crypto::Keyring::Create(config_.storage.keys);
    ASSERT_TRUE(kr.ok()) << kr.status().ToString();
    Open();
  }

  void TearDown() override {
    Close();
    std::filesystem::remove_all(dir_);
  }

  // (Re)opens everything from disk, as a restarted server would.
  void Open() {
    auto kr = crypto::Keyring::Load(config_.storage.keys);
    ASSERT_TRUE(kr.ok()) << kr.status().ToString();
    keyring_ = std::make_unique<crypto::Keyring>(std::move(*kr));
    mac_ = std::make_unique<crypto::RowMac>(keyring_->row_mac_key());
    auto st = store::OpenSqliteStore(config_.storage.database.string(), *mac_);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(*st);
    blob::BlobStoreOptions options;
    options.chunk_size = config_.storage.chunk_size;
    auto bs = blob::OpenLocalBlobStore(config_.storage.blobs.string(), *keyring_, options, env_);
    ASSERT_TRUE(bs.ok()) << bs.status().ToString();
    blobs_ = std::move(*bs);
    activity_ = std::make_unique<ActivityLog>(*store_, bus_, [this] { return now_us_.load(); });
    store_->SetIntegrityListener(
        [this](const store::IntegrityAlert& a) { activity_->QueueIntegrityAlert(a); });
    files_ = std::make_unique<FileService>(config_, *store_, *blobs_, *activity_);
    admin_ = std::make_unique<AdminService>(config_, *store_, *activity_, *files_);
  }

  void Close() {
    admin_.reset();
    files_.reset();
    activity_.reset();
    blobs_.reset();
    store_.reset();
    mac_.reset();
    keyring_.reset();
  }

  Result<uint64_t> Sweep() {
    return blobs_->SweepOrphans([this](const blob::BlobId& id) {
      auto r = store_->BlobReferenced(id.Hex());
      return !r.ok() || *r;
    });
  }

  size_t BlobFileCount() const {
    size_t n = 0;
    for (auto& e : std::filesystem::recursive_directory_iterator(config_.storage.blobs)) {
      n += e.is_regular_file();
    }
    return n;
  }

  Principal User(const std::string& name) {
    auto p = admin_->PrincipalFor(name);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? *p : Principal();
  }

  void AddUser(const std::string& name, int64_t quota = 0) {
    NewUser u;
    u.name = name;
    u.quota_bytes = quota;
    u.password = std::string(kPassword);
    auto r = admin_->CreateUser(system_, ctx_, u);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  void Folder(const std::string& path, int64_t quota = 0) {
    auto r = admin_->CreateFolder(system_, ctx_, path, quota);
    ASSERT_TRUE(r.ok()) << path << ": " << r.status().ToString();
  }

  Status Put(const Principal& p, const std::string& path, const std::string& data,
             UploadOptions options = {}) {
    COFFER_ASSIGN_OR_RETURN(auto up, files_->BeginUpload(p, ctx_, path, options));
    for (size_t off = 0; off < data.size(); off += 7001) {
      std::string_view part = std::string_view(data).substr(off, 7001);
      COFFER_RETURN_IF_ERROR(
          up->Write({reinterpret_cast<const uint8_t*>(part.data()), part.size()}));
    }
    return up->Commit().status();
  }

  Result<std::string> Get(const Principal& p, const std::string& path) {
    COFFER_ASSIGN_OR_RETURN(auto d, files_->OpenDownload(p, ctx_, path));
    std::string out(static_cast<size_t>(d->info().size), '\0');
    size_t off = 0;
    while (off < out.size()) {
      COFFER_ASSIGN_OR_RETURN(
          size_t n, d->ReadAt(off, {reinterpret_cast<uint8_t*>(out.data() + off), out.size() - off}));
      if (n == 0) return IntegrityError("short read");
      off += n;
    }
    return out;
  }

  std::vector<std::string> Names(const Principal& p, const std::string& path) {
    std::vector<std::string> names;
    std::string cursor;
    for (int i = 0; i < 10000; ++i) {
      auto page = files_->List(p, ctx_, path, cursor, 1000);
      if (!page.ok()) {
        ADD_FAILURE() << page.status().ToString();
        break;
      }
      for (auto& e : page->entries) names.push_back(e.name);
      cursor = page->next_cursor;
      if (cursor.empty()) break;
    }
    return names;
  }

  static inline std::atomic<int> counter_{0};
  std::filesystem::path dir_;
  config::Config config_;
  Env* env_ = nullptr;  // the real OS unless a test injects faults
  std::atomic<int64_t> now_us_{int64_t{1'800'000'000} * 1'000'000};
  std::unique_ptr<crypto::Keyring> keyring_;
  std::unique_ptr<crypto::RowMac> mac_;
  std::unique_ptr<store::MetadataStore> store_;
  std::unique_ptr<blob::BlobStore> blobs_;
  events::EventBus bus_;
  std::unique_ptr<ActivityLog> activity_;
  std::unique_ptr<FileService> files_;
  std::unique_ptr<AdminService> admin_;
  Principal system_ = Principal::System();
  Context ctx_{"cli", "local", "test"};
};

}  // namespace coffer::service::testing
