// The file routes through Api, against a real service stack in a temporary
// directory, with an Authenticator that names a real user.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/sha256.h"
#include "http/api.h"
#include "http/digest.h"
#include "service/perms.h"
#include "service/service_fixture.h"
#include "service/sessions.h"
#include "util/bytes.h"

namespace coffer::http {
namespace {

using service::kDelete;
using service::kList;
using service::kRead;
using service::kWrite;

class FixedCaller final : public Authenticator {
 public:
  explicit FixedCaller(Caller c) : caller_(std::move(c)) {}
  Result<Caller> Identify(const Request&, Method) const override { return caller_; }

 private:
  Caller caller_;
};

class FilesRoutes : public service::testing::ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    AddUser("alice");
    Folder("/Team");
    Folder("/Secret");
    ASSERT_TRUE(
        admin_->Grant(system_, ctx_, "/Team", "alice", kList | kRead | kWrite | kDelete).ok());
    Caller c;
    c.principal = User("alice");
    c.context = {"https", "127.0.0.1", "t"};
    c.scopes = 7;
    auth_ = std::make_unique<FixedCaller>(c);
    sessions_ = std::make_unique<service::SessionService>(config_, *store_, *activity_, *admin_);
    api_ = std::make_unique<Api>(ApiServices{*files_, *admin_, *auth_, *sessions_});
  }
  void TearDown() override {
    api_.reset();
    sessions_.reset();
    ServiceTest::TearDown();
  }

  Reply Call(std::string method, std::string target, std::string body = {},
             std::vector<std::pair<std::string, std::string>> headers = {}) {
    return api_->Handle(Request{std::move(method), std::move(target), "127.0.0.1",
                                std::move(headers), std::move(body)});
  }

  // PUT through BeginStream, the way the server drives it.
  Reply Upload(const std::string& target, const std::string& data,
               std::vector<std::pair<std::string, std::string>> headers = {}) {
    Request r{"PUT", target, "127.0.0.1", std::move(headers), {}};
    auto start = api_->BeginStream(r);
    EXPECT_TRUE(start);
    if (!start) return {};
    if (!start->sink) return std::move(start->reply);
    for (size_t off = 0; off < data.size(); off += 5000) {
      std::string_view part = std::string_view(data).substr(off, 5000);
      Status st = start->sink->Write({reinterpret_cast<const uint8_t*>(part.data()), part.size()});
      if (!st.ok()) return start->sink->ErrorReply(st);
    }
    return start->sink->Finish();
  }

  static std::string Drain(const Reply& r) {
    std::string out;
    std::vector<uint8_t> buf(1000);
    while (true) {
      auto n = r.source->Read(buf);
      EXPECT_TRUE(n.ok());
      if (!n.ok() || *n == 0) break;
      out.append(reinterpret_cast<const char*>(buf.data()), *n);
    }
    return out;
  }

  static std::string Header(const Reply& r, std::string_view name) {
    for (const auto& [n, v] : r.headers)
      if (n == name) return v;
    return "";
  }

  std::unique_ptr<FixedCaller> auth_;
  std::unique_ptr<service::SessionService> sessions_;
  std::unique_ptr<Api> api_;
};

TEST_F(FilesRoutes, UploadThenDownloadWithDigestEtagAndAttachment) {
  std::string data = service::testing::RandomText(70000, 1);
  Reply up = Upload("/api/v1/files/content?path=%2FTeam%2Fshell.aspx", data);
  ASSERT_EQ(up.status, 201) << up.body;
  auto entry = nlohmann::json::parse(up.body);
  EXPECT_EQ(entry["path"], "/Team/shell.aspx");
  EXPECT_EQ(entry["size"], 70000);
  auto sha = crypto::Sha256::Digest(AsBytes(data)).value();
  EXPECT_EQ(entry["sha256"], ToHex(sha));

  Reply down = Call("GET", "/api/v1/files/content?path=/Team/shell.aspx");
  ASSERT_EQ(down.status, 200);
  ASSERT_TRUE(down.source);
  EXPECT_EQ(down.source->size(), 70000u);
  EXPECT_EQ(Drain(down), data);
  EXPECT_EQ(down.content_type, "application/octet-stream");
  EXPECT_EQ(Header(down, "Content-Disposition").rfind("attachment;", 0), 0u);
  EXPECT_NE(Header(down, "Content-Security-Policy").find("sandbox"), std::string::npos);
  EXPECT_EQ(Header(down, "ETag"), "\"" + ToHex(sha) + "\"");
  EXPECT_EQ(Header(down, "Repr-Digest"), ReprDigestValue(sha));
}

TEST_F(FilesRoutes, RangesConditionalsAndIfRange) {
  std::string data = service::testing::RandomText(1000, 2);
  ASSERT_EQ(Upload("/api/v1/files/content?path=/Team/a.bin", data).status, 201);
  std::string etag = "\"" + ToHex(crypto::Sha256::Digest(AsBytes(data)).value()) + "\"";
  Reply part =
      Call("GET", "/api/v1/files/content?path=/Team/a.bin", {}, {{"range", "bytes=10-19"}});
  ASSERT_EQ(part.status, 206);
  EXPECT_EQ(Header(part, "Content-Range"), "bytes 10-19/1000");
  EXPECT_EQ(Drain(part), data.substr(10, 10));
  Reply tail = Call("GET", "/api/v1/files/content?path=/Team/a.bin", {}, {{"range", "bytes=-5"}});
  EXPECT_EQ(Drain(tail), data.substr(995));
  Reply bad = Call("GET", "/api/v1/files/content?path=/Team/a.bin", {}, {{"range", "bytes=2000-"}});
  EXPECT_EQ(bad.status, 416);
  EXPECT_EQ(Header(bad, "Content-Range"), "bytes */1000");
  Reply same = Call("GET", "/api/v1/files/content?path=/Team/a.bin", {}, {{"if-none-match", etag}});
  EXPECT_EQ(same.status, 304);
  EXPECT_FALSE(same.source);
  Reply stale = Call("GET", "/api/v1/files/content?path=/Team/a.bin", {},
                     {{"range", "bytes=0-0"}, {"if-range", "\"other\""}});
  EXPECT_EQ(stale.status, 200);
  EXPECT_EQ(stale.source->size(), 1000u);
  Reply fresh = Call("GET", "/api/v1/files/content?path=/Team/a.bin", {},
                     {{"range", "bytes=0-0"}, {"if-range", etag}});
  EXPECT_EQ(fresh.status, 206);
}

TEST_F(FilesRoutes, DigestMismatchStoresNothingAndIfNoneMatchStarRefusesOverwrite) {
  std::string data = "hello";
  Sha256 wrong{};
  Reply r = Upload("/api/v1/files/content?path=/Team/h.txt", data,
                   {{"repr-digest", ReprDigestValue(wrong)}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/files/stat?path=/Team/h.txt").status, 404);
  auto right = crypto::Sha256::Digest(AsBytes(data)).value();
  r = Upload("/api/v1/files/content?path=/Team/h.txt", data,
             {{"content-digest", "md5=:AAAA:, " + ReprDigestValue(right)}});
  EXPECT_EQ(r.status, 201) << r.body;
  r = Upload("/api/v1/files/content?path=/Team/h.txt", "other", {{"if-none-match", "*"}});
  EXPECT_EQ(r.status, 412);
  EXPECT_EQ(Drain(Call("GET", "/api/v1/files/content?path=/Team/h.txt")), "hello");
  r = Upload("/api/v1/files/content?path=/Team/h.txt", "x", {{"repr-digest", "sha-256=:nope:"}});
  EXPECT_EQ(r.status, 400);
}

TEST_F(FilesRoutes, JsonRoutesMkdirListMoveCopyDeleteRestore) {
  ASSERT_EQ(Call("POST", "/api/v1/files/mkdir", R"({"path":"/Team/Sub"})").status, 201);
  ASSERT_EQ(Upload("/api/v1/files/content?path=/Team/Sub/x.txt", "x").status, 201);
  Reply list = Call("GET", "/api/v1/files?path=/Team&limit=1");
  ASSERT_EQ(list.status, 200) << list.body;
  auto doc = nlohmann::json::parse(list.body);
  ASSERT_EQ(doc["items"].size(), 1u);
  EXPECT_EQ(doc["items"][0]["type"], "folder");
  EXPECT_EQ(doc["items"][0]["perms"], nlohmann::json({"list", "read", "write", "delete"}));
  EXPECT_EQ(
      Call("POST", "/api/v1/files/move", R"({"from":"/Team/Sub/x.txt","to":"/Team/y.txt"})").status,
      200);
  EXPECT_EQ(
      Call("POST", "/api/v1/files/copy", R"({"from":"/Team/y.txt","to":"/Team/z.txt"})").status,
      201);
  EXPECT_EQ(Call("DELETE", "/api/v1/files?path=/Team/z.txt").status, 204);
  Reply bin = Call("GET", "/api/v1/recycle?path=/Team");
  auto items = nlohmann::json::parse(bin.body)["items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_TRUE(items[0].contains("deleted_at"));
  std::string restore = nlohmann::json{{"id", items[0]["id"]}}.dump();
  EXPECT_EQ(Call("POST", "/api/v1/recycle/restore", restore).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/files/stat?path=/Team/z.txt").status, 200);
}

TEST_F(FilesRoutes, BadInputIsRefusedWithoutEchoAndHiddenFoldersAreNotFound) {
  const std::string probe = "%3Cscript%3E";
  for (auto [method, target, body] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"GET", "/api/v1/files?path=/Team&sort=owner", ""},
           {"GET", "/api/v1/files?path=/Team&limit=0", ""},
           {"GET", "/api/v1/files?path=/Team&limit=" + probe, ""},
           {"GET", "/api/v1/files?path=/Team&path=/Team", ""},
           {"GET", "/api/v1/files?path=%ZZ", ""},
           {"GET", "/api/v1/files/stat", ""},
           {"POST", "/api/v1/files/mkdir", "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]"},
           {"POST", "/api/v1/files/mkdir", R"({"path": 5})"},
           {"POST", "/api/v1/files/move", R"({"from":"/Team/<script>"})"},
           {"POST", "/api/v1/recycle/restore", R"({"id":"1"})"},
           {"GET", "/api/v1/files/stat?path=/Team/../../etc/passwd%3Cscript%3E", ""},
       }) {
    Reply r = Call(method, target, body);
    EXPECT_GE(r.status, 400) << target;
    EXPECT_EQ(r.content_type, "application/problem+json") << target;
    EXPECT_EQ(r.body.find("script"), std::string::npos) << target;
    EXPECT_EQ(r.body.find("passwd"), std::string::npos) << target;
  }
  // Not granted: the same answer as a folder that does not exist.
  Reply secret = Call("GET", "/api/v1/files?path=/Secret");
  Reply none = Call("GET", "/api/v1/files?path=/Nothing");
  EXPECT_EQ(secret.status, 404);
  EXPECT_EQ(secret.body, none.body);
  EXPECT_EQ(Upload("/api/v1/files/content?path=/Secret/x", "x").status, 404);
}

}  // namespace
}  // namespace coffer::http
