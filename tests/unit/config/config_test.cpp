#include "config/config.h"

#include <gtest/gtest.h>

namespace coffer::config {
namespace {

TEST(ConfigTest, DefaultTextParsesToDefaults) {
  auto c = ParseConfig(DefaultConfigText(), "/data/coffer.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->data_dir, "/data");
  EXPECT_EQ(c->storage.database, "/data/coffer.db");
  EXPECT_EQ(c->storage.keys, "/data/keys");
  EXPECT_EQ(c->storage.chunk_size, 64u * 1024);
  EXPECT_EQ(c->limits.max_name_bytes, 255u);
  EXPECT_EQ(c->retention.recycle_days, 30u);
  EXPECT_EQ(c->accounts.min_password_length, 12u);
  EXPECT_EQ(c->frontend_keys.tls_certificate, "/data/tls/cert.pem");
}

TEST(ConfigTest, EmptyFileMeansDefaults) {
  auto c = ParseConfig("", "/d/coffer.toml");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->retention.versions_kept, 5u);
  EXPECT_EQ(c->storage.blobs, "/d/blobs");
}

TEST(ConfigTest, AbsolutePathsStay) {
  auto c = ParseConfig("[storage]\nblobs = \"/srv/blobs\"\n", "/d/coffer.toml");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->storage.blobs, "/srv/blobs");
}

struct BadCase {
  const char* text;
  const char* expect_in_message;
};

TEST(ConfigTest, BadInputIsRefusedNamingTheKey) {
  const BadCase cases[] = {
      {"[storage]\nchunk_size_kib = 8\n", "chunk_size_kib"},
      {"[storage]\nchunk_size_kib = 2048\n", "chunk_size_kib"},
      {"[storage]\nchunk_size_kib = \"64\"\n", "chunk_size_kib"},
      {"[storage]\ndatabse = \"x.db\"\n", "databse"},
      {"[limit]\nmax_depth = 3\n", "limit"},
      {"[limits]\nmax_depth = 0\n", "max_depth"},
      {"[limits]\nmax_depth = 257\n", "max_depth"},
      {"[limits]\nmax_file_bytes = -1\n", "max_file_bytes"},
      {"[retention]\nversions_kept = 0\n", "versions_kept"},
      {"[accounts]\nmin_password_length = 4\n", "min_password_length"},
      {"[log]\nlevel = \"loud\"\n", "level"},
      {"[storage]\nblobs = \"\"\n", "blobs"},
      {"storage = 3\n", "storage"},
      {"[storage\n", "line"},
      {"[limits]\nmax_depth = 1.5\n", "max_depth"},
  };
  for (const auto& bad : cases) {
    auto c = ParseConfig(bad.text, "/d/coffer.toml");
    ASSERT_FALSE(c.ok()) << bad.text;
    EXPECT_EQ(c.status().code(), Code::kInvalidArgument) << bad.text;
    EXPECT_NE(c.status().message().find(bad.expect_in_message), std::string::npos)
        << bad.text << " -> " << c.status().message();
  }
}

TEST(ConfigTest, LimitsAtTheEdgeAreAccepted) {
  auto c = ParseConfig("[limits]\nmax_depth = 256\nmax_name_bytes = 1\n[storage]\nchunk_size_kib = 16\n",
                       "/d/coffer.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->limits.max_depth, 256u);
  EXPECT_EQ(c->storage.chunk_size, 16u * 1024);
}

TEST(ConfigTest, OversizedTextIsRefused) {
  std::string big(2 << 20, '#');
  auto c = ParseConfig(big, "/d/coffer.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kLimitExceeded);
}

TEST(ConfigTest, MissingFileIsAPreconditionFailure) {
  auto c = LoadConfig("/nonexistent/coffer.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kFailedPrecondition);
}

}  // namespace
}  // namespace coffer::config
