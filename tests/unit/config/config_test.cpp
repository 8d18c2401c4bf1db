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
  const HttpConfig defaults;
  EXPECT_EQ(c->http.listen, defaults.listen);
  EXPECT_EQ(c->http.port, defaults.port);
  EXPECT_EQ(c->http.max_header_bytes, defaults.max_header_bytes);
  EXPECT_EQ(c->http.max_json_body_bytes, defaults.max_json_body_bytes);
  EXPECT_EQ(c->http.read_timeout_seconds, defaults.read_timeout_seconds);
  EXPECT_EQ(c->http.idle_timeout_seconds, defaults.idle_timeout_seconds);
  EXPECT_EQ(c->http.max_connections_per_address, defaults.max_connections_per_address);
  EXPECT_EQ(c->http.shutdown_grace_seconds, defaults.shutdown_grace_seconds);
}

TEST(ConfigTest, AdminListenerIsOffByDefaultAndMustDifferFromThePublicOne) {
  auto c = ParseConfig(DefaultConfigText(), "/data/coffer.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->http.admin_listen, "");
  EXPECT_EQ(c->http.admin_port, 8444u);
  auto split = ParseConfig("[http]\nadmin_listen = \"::1\"\nadmin_port = 9000\n", "/d/coffer.toml");
  ASSERT_TRUE(split.ok()) << split.status().ToString();
  EXPECT_EQ(split->http.admin_listen, "::1");
  EXPECT_EQ(split->http.admin_port, 9000u);
  auto same = ParseConfig(
      "[http]\nlisten = \"127.0.0.1\"\nport = 8443\nadmin_listen = "
      "\"127.0.0.1\"\nadmin_port = 8443\n",
      "/d/coffer.toml");
  EXPECT_EQ(same.status().code(), Code::kInvalidArgument);
  EXPECT_NE(same.status().message().find("admin_port"), std::string::npos);
  EXPECT_FALSE(ParseConfig("[http]\nadmin_port = 65536\n", "/d/coffer.toml").ok());
  EXPECT_FALSE(ParseConfig("[http]\nadmin_listen = 1\n", "/d/coffer.toml").ok());
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
      {"[http]\nport = 65536\n", "port"},
      {"[http]\nthreads = 0\n", "threads"},
      {"[http]\nmax_header_bytes = 1023\n", "max_header_bytes"},
      {"[http]\nmax_json_body_bytes = 67108865\n", "max_json_body_bytes"},
      {"[http]\nread_timeout_seconds = 0\n", "read_timeout_seconds"},
      {"[http]\nidle_timeout_seconds = 3601\n", "idle_timeout_seconds"},
      {"[http]\nmax_connections = 0\n", "max_connections"},
      {"[http]\nmax_connections_per_address = 0\n", "max_connections_per_address"},
      {"[http]\nlisten = \"\"\n", "listen"},
      {"[http]\nlisten_port = 1\n", "listen_port"},
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

TEST(ConfigTest, HttpLimitsAtTheEdgeAreAccepted) {
  auto c = ParseConfig(
      "[http]\nport = 0\nthreads = 256\nmax_header_bytes = 1024\nmax_json_body_bytes = 67108864\n"
      "read_timeout_seconds = 1\nidle_timeout_seconds = 3600\nmax_connections = 1\n"
      "max_connections_per_address = 1\nshutdown_grace_seconds = 0\nlisten = \"::1\"\n",
      "/d/coffer.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->http.port, 0u);
  EXPECT_EQ(c->http.max_header_bytes, 1024u);
  EXPECT_EQ(c->http.max_json_body_bytes, 64u << 20);
  EXPECT_EQ(c->http.listen, "::1");
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
