// A keyring and a local blob store in a fresh temporary directory, with helpers
// to write and read whole blobs and to reach a blob's file for tampering.
#pragma once

#include <gtest/gtest.h>
#include <sodium.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "blob/blob_store.h"
#include "crypto/keyring.h"
#include "util/env.h"

namespace coffer::blob::testing {

namespace fs = std::filesystem;

inline std::string RandomText(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

inline std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void WriteFile(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

class BlobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    dir_ = fs::temp_directory_path() /
           ("coffer-blob-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    root_ = dir_ / "blobs";
    auto kr = crypto::Keyring::Create(dir_ / "keys");
    ASSERT_TRUE(kr.ok()) << kr.status().ToString();
    keyring_ = std::make_unique<crypto::Keyring>(std::move(*kr));
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  // A fresh store instance over the same root, as after a restart.
  void Reopen(Env* env = nullptr) {
    store_.reset();
    auto s = OpenLocalBlobStore(root_.string(), *keyring_, options_, env);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }

  Result<BlobRef> Put(const std::string& data, size_t piece = 7001) {
    return PutTo(*store_, data, piece);
  }
  static Result<BlobRef> PutTo(BlobStore& store, const std::string& data, size_t piece) {
    COFFER_ASSIGN_OR_RETURN(auto w, store.Create());
    for (size_t off = 0; off < data.size(); off += piece) {
      COFFER_RETURN_IF_ERROR(w->Write(AsBytes(std::string_view(data).substr(off, piece))));
    }
    return w->Finish();
  }

  // Reads the whole blob in `piece`-sized reads; any error is returned.
  Result<std::string> Get(const BlobRef& ref, size_t piece = 1 << 20) {
    COFFER_ASSIGN_OR_RETURN(auto r, store_->Open(ref));
    std::string out;
    std::string buf(piece, '\0');
    for (;;) {
      COFFER_ASSIGN_OR_RETURN(
          size_t n, r->ReadAt(out.size(), {reinterpret_cast<uint8_t*>(buf.data()), buf.size()}));
      if (n == 0) break;
      out.append(buf, 0, n);
    }
    if (out.size() != r->size()) return IntegrityError("short blob");
    return out;
  }

  fs::path PathOf(const BlobId& id) const {
    return root_ / "objects" / id.Hex().substr(0, 2) / id.Hex();
  }

  // Every regular file under the root, for leftover checks.
  std::vector<fs::path> Files() const {
    std::vector<fs::path> out;
    for (auto& e : fs::recursive_directory_iterator(root_)) {
      if (e.is_regular_file()) out.push_back(e.path());
    }
    return out;
  }

  static inline std::atomic<int> counter_{0};
  fs::path dir_;
  fs::path root_;
  BlobStoreOptions options_{.chunk_size = 4096};
  std::unique_ptr<crypto::Keyring> keyring_;
  std::unique_ptr<BlobStore> store_;
};

}  // namespace coffer::blob::testing
