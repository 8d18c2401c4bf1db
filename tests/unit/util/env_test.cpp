#include "util/env.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "util/fault_env.h"

namespace coffer {
namespace {

namespace fs = std::filesystem;

class EnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("coffer-env-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto root = env_->OpenRoot((dir_ / "root").string(), /*create=*/true);
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    root_ = std::move(*root);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string Text(const File& f, Env* env) {
    std::string out(4096, '\0');
    auto n = env->ReadAt(f, 0, {reinterpret_cast<uint8_t*>(out.data()), out.size()});
    EXPECT_TRUE(n.ok());
    out.resize(n.ok() ? *n : 0);
    return out;
  }

  fs::path dir_;
  Env* env_ = Env::Default();
  Dir root_;
};

TEST_F(EnvTest, RootIsCreatedPrivate) {
  EXPECT_EQ(fs::status(dir_ / "root").permissions() & fs::perms::all, fs::perms::owner_all);
  auto info = env_->Stat(root_);
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->is_directory());
}

TEST_F(EnvTest, CreateExclusiveWriteSyncReadBack) {
  auto f = env_->CreateExclusive(root_, "a");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_TRUE(env_->Append(*f, AsBytes("hello ")).ok());
  ASSERT_TRUE(env_->Append(*f, AsBytes("world")).ok());
  ASSERT_TRUE(env_->Sync(*f).ok());
  EXPECT_EQ((fs::status(dir_ / "root" / "a").permissions() & fs::perms::all),
            fs::perms::owner_read | fs::perms::owner_write);
  auto r = env_->OpenForRead(root_, "a");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Text(*r, env_), "hello world");
  auto info = env_->Stat(*r);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->size, 11u);
  EXPECT_TRUE(info->is_regular());
  uint8_t buf[8];
  auto n = env_->ReadAt(*r, 8, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 3u);  // short only at the end
  EXPECT_EQ(env_->CreateExclusive(root_, "a").status().code(), Code::kAlreadyExists);
}

TEST_F(EnvTest, NamesMustBeOneComponent) {
  const std::string_view kBad[] = {"", ".", "..", "a/b", "../x", std::string_view("a\0b", 3)};
  for (std::string_view bad : kBad) {
    EXPECT_EQ(env_->CreateExclusive(root_, bad).status().code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(env_->OpenDir(root_, bad).status().code(), Code::kInvalidArgument);
    EXPECT_EQ(env_->Unlink(root_, bad).code(), Code::kInvalidArgument);
    EXPECT_EQ(env_->MakeDir(root_, bad).code(), Code::kInvalidArgument);
  }
}

TEST_F(EnvTest, SymlinksAreNeverFollowed) {
  { std::ofstream(dir_ / "outside") << "secret"; }
  fs::create_directory_symlink(dir_, dir_ / "root" / "dirlink");
  fs::create_symlink(dir_ / "outside", dir_ / "root" / "filelink");
  EXPECT_FALSE(env_->OpenDir(root_, "dirlink").ok());
  EXPECT_FALSE(env_->OpenForRead(root_, "filelink").ok());
  EXPECT_FALSE(env_->CreateExclusive(root_, "filelink").ok());
  EXPECT_EQ(env_->OpenForRead(root_, "filelink").status().code(), Code::kPermissionDenied);
}

TEST_F(EnvTest, ErrorMessagesNameNoHostPath) {
  auto r = env_->OpenForRead(root_, "missing");
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(r.status().message().find(dir_.string()), std::string::npos);
  EXPECT_EQ(r.status().message().find("missing"), std::string::npos);
  auto root = env_->OpenRoot((dir_ / "nope" / "deeper").string(), true);
  EXPECT_FALSE(root.ok());
  EXPECT_EQ(root.status().message().find(dir_.string()), std::string::npos);
}

TEST_F(EnvTest, RenameListUnlinkAndDirs) {
  ASSERT_TRUE(env_->MakeDir(root_, "sub").ok());
  EXPECT_EQ(env_->MakeDir(root_, "sub").code(), Code::kAlreadyExists);
  EXPECT_EQ(fs::status(dir_ / "root" / "sub").permissions() & fs::perms::all, fs::perms::owner_all);
  auto sub = env_->OpenDir(root_, "sub");
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(env_->CreateExclusive(root_, "x").ok());
  ASSERT_TRUE(env_->CreateExclusive(*sub, "y").ok());
  EXPECT_EQ(env_->Rename(root_, "x", *sub, "y", false).code(), Code::kAlreadyExists);
  ASSERT_TRUE(env_->Rename(root_, "x", *sub, "z", false).ok());
  ASSERT_TRUE(env_->Rename(*sub, "z", *sub, "y", true).ok());
  ASSERT_TRUE(env_->SyncDir(*sub).ok());
  auto names = env_->List(*sub);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{"y"});
  ASSERT_TRUE(env_->Unlink(*sub, "y").ok());
  EXPECT_EQ(env_->Unlink(*sub, "y").code(), Code::kNotFound);
  names = env_->List(*sub);
  ASSERT_TRUE(names.ok());
  EXPECT_TRUE(names->empty());
}

TEST(FaultInjectionEnvTest, FailsOnlyTheNthCountedOperation) {
  FaultInjectionEnv env(Env::Default());
  fs::path dir = fs::temp_directory_path() / ("coffer-fault-env-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto root = env.OpenRoot(dir.string(), true);
  ASSERT_TRUE(root.ok());
  env.FailAt(2);
  auto f = env.CreateExclusive(*root, "f");  // 1
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(env.Append(*f, AsBytes("x")).code(), Code::kIo);  // 2: refused
  EXPECT_TRUE(env.Append(*f, AsBytes("y")).ok());             // 3
  EXPECT_TRUE(env.List(*root).ok());                          // not counted
  EXPECT_EQ(env.op_count(), 3u);
  EXPECT_EQ(env.failures(), 1u);
  EXPECT_EQ(fs::file_size(dir / "f"), 1u);  // the refused write did nothing

  env.FailAt(1, /*crash=*/true);
  EXPECT_FALSE(env.Sync(*f).ok());
  EXPECT_FALSE(env.Unlink(*root, "f").ok());
  EXPECT_FALSE(env.SyncDir(*root).ok());
  EXPECT_EQ(env.failures(), 3u);
  env.FailAt(0);
  EXPECT_TRUE(env.Unlink(*root, "f").ok());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace coffer
