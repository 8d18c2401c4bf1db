#include "crypto/keyring.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace coffer::crypto {
namespace {

namespace fs = std::filesystem;

class KeyringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    base_ = fs::temp_directory_path() / ("coffer-keyring-test-" + std::to_string(::getpid()));
    fs::remove_all(base_);
    fs::create_directories(base_);
    keys_ = base_ / "keys";
  }
  void TearDown() override { fs::remove_all(base_); }

  Keyring MustCreate() {
    auto kr = Keyring::Create(keys_);
    EXPECT_TRUE(kr.ok()) << kr.status().ToString();
    return std::move(*kr);
  }
  std::string Read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  void Write(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::trunc) << text;
    fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
  }

  fs::path base_;
  fs::path keys_;
};

constexpr auto kOwnerRw = fs::perms::owner_read | fs::perms::owner_write;

TEST_F(KeyringTest, CreateWritesPrivateFilesAndLoadReadsThemBack) {
  Keyring created = MustCreate();
  EXPECT_EQ(created.current_id(), 1u);
  EXPECT_EQ(fs::status(keys_).permissions() & fs::perms::all, fs::perms::owner_all);
  for (const char* name : {"kek-1.key", "row-mac.key", "current"}) {
    EXPECT_EQ(fs::status(keys_ / name).permissions() & fs::perms::all, kOwnerRw) << name;
  }
  EXPECT_EQ(Read(keys_ / "current"), "1\n");
  EXPECT_EQ(Read(keys_ / "kek-1.key").size(), 65u);  // 64 hex digits and a newline
  EXPECT_EQ(std::distance(fs::directory_iterator(keys_), fs::directory_iterator()), 3);

  auto loaded = Keyring::Load(keys_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->current_id(), 1u);
  EXPECT_EQ(loaded->key_ids(), std::vector<uint32_t>{1});
  EXPECT_TRUE(std::equal(loaded->row_mac_key().bytes().begin(), loaded->row_mac_key().bytes().end(),
                         created.row_mac_key().bytes().begin()));
  SecretKey dek = SecretKey::Random();
  auto wrapped = created.Wrap(dek);
  ASSERT_TRUE(wrapped.ok());
  auto back = loaded->Unwrap(*wrapped);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(std::equal(back->bytes().begin(), back->bytes().end(), dek.bytes().begin()));
}

TEST_F(KeyringTest, CreateRefusesExistingKeys) {
  MustCreate();
  EXPECT_EQ(Keyring::Create(keys_).status().code(), Code::kAlreadyExists);
}

TEST_F(KeyringTest, LoadFailsWhenSomethingIsMissing) {
  EXPECT_EQ(Keyring::Load(keys_).status().code(), Code::kFailedPrecondition);
  MustCreate();
  fs::remove(keys_ / "row-mac.key");
  EXPECT_EQ(Keyring::Load(keys_).status().code(), Code::kFailedPrecondition);
  fs::remove_all(keys_);
  MustCreate();
  fs::remove(keys_ / "kek-1.key");
  EXPECT_EQ(Keyring::Load(keys_).status().code(), Code::kFailedPrecondition);
}

TEST_F(KeyringTest, LoadRefusesLoosePermissions) {
  MustCreate();
  fs::permissions(keys_ / "kek-1.key", fs::perms::group_read, fs::perm_options::add);
  EXPECT_EQ(Keyring::Load(keys_).status().code(), Code::kIntegrity);
  fs::permissions(keys_ / "kek-1.key", kOwnerRw, fs::perm_options::replace);
  ASSERT_TRUE(Keyring::Load(keys_).ok());
  fs::permissions(keys_ / "current", fs::perms::others_read, fs::perm_options::add);
  EXPECT_EQ(Keyring::Load(keys_).status().code(), Code::kIntegrity);
  fs::permissions(keys_ / "current", kOwnerRw, fs::perm_options::replace);
  fs::permissions(keys_, fs::perms::group_exec, fs::perm_options::add);
  EXPECT_EQ(Keyring::Load(keys_).status().code(), Code::kIntegrity);
}

TEST_F(KeyringTest, LoadRefusesMalformedAndSymlinkedKeyFiles) {
  MustCreate();
  const std::string good = Read(keys_ / "row-mac.key");
  Write(keys_ / "row-mac.key", good.substr(0, 40) + "\n");
  EXPECT_EQ(Keyring::Load(keys_).status().code(), Code::kIntegrity);
  Write(keys_ / "row-mac.key", "zz" + good.substr(2));
  EXPECT_EQ(Keyring::Load(keys_).status().code(), Code::kIntegrity);
  Write(keys_ / "row-mac.key", good);
  Write(keys_ / "current", "01\n");
  EXPECT_EQ(Keyring::Load(keys_).status().code(), Code::kIntegrity);
  Write(keys_ / "current", "1\n");
  ASSERT_TRUE(Keyring::Load(keys_).ok());
  Write(base_ / "elsewhere.key", good);
  fs::remove(keys_ / "row-mac.key");
  fs::create_symlink(base_ / "elsewhere.key", keys_ / "row-mac.key");
  EXPECT_FALSE(Keyring::Load(keys_).ok());
}

TEST_F(KeyringTest, UnwrapRefusesAlteredOrMovedKeys) {
  Keyring kr = MustCreate();
  auto wrapped = kr.Wrap(SecretKey::Random());
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ(wrapped->key_id, 1u);
  WrappedKey moved = *wrapped;
  moved.key_id = 2;
  EXPECT_EQ(kr.Unwrap(moved).status().code(), Code::kIntegrity);  // unknown id
  ASSERT_TRUE(kr.AddKey().ok());
  EXPECT_EQ(kr.Unwrap(moved).status().code(), Code::kIntegrity);  // id bound as AD
  for (size_t i = 0; i < wrapped->wrapped.size(); ++i) {
    WrappedKey bad = *wrapped;
    bad.wrapped[i] ^= 0x80;
    EXPECT_EQ(kr.Unwrap(bad).status().code(), Code::kIntegrity) << i;
  }
  WrappedKey short_one = *wrapped;
  short_one.wrapped.pop_back();
  EXPECT_EQ(kr.Unwrap(short_one).status().code(), Code::kIntegrity);

  fs::path other_dir = base_ / "other";
  auto other = Keyring::Create(other_dir);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->Unwrap(*wrapped).status().code(), Code::kIntegrity);
}

TEST_F(KeyringTest, AddKeyRotatesAndRetireKeyRemovesOldKeys) {
  Keyring kr = MustCreate();
  auto old_wrapped = kr.Wrap(SecretKey::Random());
  ASSERT_TRUE(old_wrapped.ok());
  auto id = kr.AddKey();
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, 2u);
  EXPECT_EQ(kr.current_id(), 2u);
  EXPECT_EQ(Read(keys_ / "current"), "2\n");
  EXPECT_EQ(fs::status(keys_ / "kek-2.key").permissions() & fs::perms::all, kOwnerRw);
  auto fresh = kr.Wrap(SecretKey::Random());
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->key_id, 2u);
  EXPECT_TRUE(kr.Unwrap(*old_wrapped).ok());  // old data keys still open

  auto reloaded = Keyring::Load(keys_);
  ASSERT_TRUE(reloaded.ok());
  EXPECT_EQ(reloaded->current_id(), 2u);
  EXPECT_EQ(reloaded->key_ids(), (std::vector<uint32_t>{1, 2}));

  EXPECT_EQ(kr.RetireKey(2).code(), Code::kFailedPrecondition);
  EXPECT_EQ(kr.RetireKey(9).code(), Code::kNotFound);
  ASSERT_TRUE(kr.RetireKey(1).ok());
  EXPECT_FALSE(fs::exists(keys_ / "kek-1.key"));
  EXPECT_EQ(kr.Unwrap(*old_wrapped).status().code(), Code::kIntegrity);
  reloaded = Keyring::Load(keys_);
  ASSERT_TRUE(reloaded.ok());
  EXPECT_EQ(reloaded->key_ids(), std::vector<uint32_t>{2});
}

// An AddKey interrupted after writing its key file but before moving `current`,
// or in the middle of writing a temporary, must leave a loadable keyring and
// must be safe to run again.
TEST_F(KeyringTest, AddKeyCanBeRerunAfterAnInterruption) {
  Keyring kr = MustCreate();
  const std::string kek = Read(keys_ / "kek-1.key");
  Write(keys_ / "kek-2.key", kek);                    // written, never made current
  Write(keys_ / "current.tmp-0123456789abcdef", "");  // torn temporary
  Write(keys_ / "kek-3.key.tmp-0123456789abcdef", "12");
  auto loaded = Keyring::Load(keys_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->current_id(), 1u);
  auto id = loaded->AddKey();
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, 3u);
  EXPECT_FALSE(fs::exists(keys_ / "current.tmp-0123456789abcdef"));
  EXPECT_FALSE(fs::exists(keys_ / "kek-3.key.tmp-0123456789abcdef"));
  auto again = Keyring::Load(keys_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->current_id(), 3u);
  EXPECT_EQ(again->key_ids(), (std::vector<uint32_t>{1, 2, 3}));
}

}  // namespace
}  // namespace coffer::crypto
