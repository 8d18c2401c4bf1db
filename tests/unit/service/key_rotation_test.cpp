// Master-key rotation, including an interruption half way and a re-run.
#include "service/key_rotation.h"

#include <algorithm>
#include <fstream>

#include "service_fixture.h"

namespace coffer::service::testing {
namespace {

class KeyRotationTest : public ServiceTest {
 protected:
  void Fill(int n) {
    Folder("/A");
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(Put(system_, "/A/f" + std::to_string(i), RandomText(3000 + i, i)).ok());
    }
  }
  void ExpectAllReadable(int n) {
    for (int i = 0; i < n; ++i) {
      auto data = Get(system_, "/A/f" + std::to_string(i));
      ASSERT_TRUE(data.ok()) << data.status().ToString();
      EXPECT_EQ(*data, RandomText(3000 + i, i));
    }
  }
  std::vector<std::string> BlobBytes() {
    std::vector<std::string> out;
    for (auto& e : std::filesystem::recursive_directory_iterator(config_.storage.blobs)) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path(), std::ios::binary);
      out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    std::sort(out.begin(), out.end());
    return out;
  }
};

TEST_F(KeyRotationTest, RewrapsEveryKeyAndRetiresTheOldOne) {
  Fill(20);
  auto before = BlobBytes();
  auto report = RotateKeys(*store_, *keyring_, *activity_, system_, ctx_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->new_key_id, 2u);
  EXPECT_EQ(report->rewrapped, 20u);
  EXPECT_EQ(report->retired, std::vector<uint32_t>{1});
  EXPECT_EQ(keyring_->key_ids(), std::vector<uint32_t>{2});
  EXPECT_EQ(BlobBytes(), before);  // content untouched
  Close();
  Open();  // from disk: only key 2 is left, and everything still reads
  ExpectAllReadable(20);
}

TEST_F(KeyRotationTest, InterruptedHalfWayThenRerunConverges) {
  Fill(20);
  RotationOptions options;
  options.batch_size = 5;
  options.after_batch = [](uint64_t done) {
    return done >= 10 ? IoError("power cut") : Status::Ok();
  };
  auto first = RotateKeys(*store_, *keyring_, *activity_, system_, ctx_, options);
  ASSERT_FALSE(first.ok());
  Close();
  Open();
  EXPECT_EQ(keyring_->key_ids(), (std::vector<uint32_t>{1, 2}));
  ExpectAllReadable(20);  // half under key 1, half under key 2
  auto second = RotateKeys(*store_, *keyring_, *activity_, system_, ctx_);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->new_key_id, 3u);
  EXPECT_EQ(second->rewrapped, 20u);
  EXPECT_EQ(keyring_->key_ids(), std::vector<uint32_t>{3});
  Close();
  Open();
  ExpectAllReadable(20);
  auto log = store_->ListActivity({});
  std::vector<std::string> rotations;
  for (const auto& r : *log) {
    if (r.action == "keys.rotate") rotations.push_back(r.result);
  }
  EXPECT_EQ(rotations, (std::vector<std::string>{"ok", "error"}));  // newest first
}

TEST_F(KeyRotationTest, OnlyAdministratorsRotate) {
  AddUser("eve");
  EXPECT_EQ(RotateKeys(*store_, *keyring_, *activity_, User("eve"), ctx_).status().code(),
            Code::kPermissionDenied);
  EXPECT_EQ(keyring_->key_ids(), std::vector<uint32_t>{1});
}

}  // namespace
}  // namespace coffer::service::testing
