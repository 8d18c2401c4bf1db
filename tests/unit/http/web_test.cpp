// The embedded web interface: exact paths only, the web CSP, caching, gzip.
#include <gtest/gtest.h>

#include "http/api.h"
#include "http/router.h"
#include "http/web_assets.h"

namespace coffer::http {
namespace {

Reply Call(std::string method, std::string target, std::string accept_encoding = "") {
  static const Api api;
  Request req{std::move(method), std::move(target), "127.0.0.1", {}, {}};
  if (!accept_encoding.empty()) req.headers.emplace_back("accept-encoding", accept_encoding);
  return api.Handle(req);
}

std::string Header(const Reply& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

// Builds configured with -DCOFFER_WEB=OFF embed an empty table (embed_web.py --none);
// with the interface on, a missing build output stops the build instead.
#define SKIP_WITHOUT_WEB() \
  if (WebAssets().empty()) GTEST_SKIP() << "built without the web interface (COFFER_WEB=OFF)"

const WebAsset* FirstHashed(std::string_view ext) {
  for (const WebAsset& a : WebAssets()) {
    if (a.immutable && a.path.ends_with(ext)) return &a;
  }
  return nullptr;
}

TEST(Web, TheBuiltInterfaceIsEmbedded) {
  SKIP_WITHOUT_WEB();
  const WebAsset* index = FindWebAsset("/");
  ASSERT_NE(index, nullptr) << "the web interface was not embedded";
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_FALSE(index->immutable);
  ASSERT_NE(FirstHashed(".js"), nullptr);
  ASSERT_NE(FirstHashed(".css"), nullptr);
  std::string_view html = index->body;
  EXPECT_NE(html.find(FirstHashed(".js")->path), std::string_view::npos);
  // No inline script or style: the CSP allows neither.
  EXPECT_EQ(html.find("<script>"), std::string_view::npos);
  EXPECT_EQ(html.find("<style"), std::string_view::npos);
  EXPECT_EQ(html.find("style="), std::string_view::npos);
  for (const WebAsset& a : WebAssets()) EXPECT_EQ(a.path == "/" || a.immutable, true) << a.path;
}

TEST(Web, PageAnswersWithTheWebCspAndNoStore) {
  SKIP_WITHOUT_WEB();
  Reply r = Call("GET", "/");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(Header(r, "Content-Security-Policy"), kWebContentSecurityPolicy);
  EXPECT_EQ(Header(r, "Cache-Control"), "no-store");
  for (std::string_view d : {"default-src 'none'", "script-src 'self'", "style-src 'self'",
                             "connect-src 'self'", "img-src 'self' data:", "font-src 'self'",
                             "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"}) {
    EXPECT_NE(kWebContentSecurityPolicy.find(d), std::string_view::npos) << d;
  }
  EXPECT_EQ(kWebContentSecurityPolicy.find("unsafe"), std::string_view::npos);
  EXPECT_EQ(Call("HEAD", "/").status, 200);
  EXPECT_EQ(Call("GET", "/?x=1").status, 200);  // the query is not part of the path
}

TEST(Web, HashedAssetsAreCachedForAYear) {
  SKIP_WITHOUT_WEB();
  const WebAsset* js = FirstHashed(".js");
  ASSERT_NE(js, nullptr);
  Reply r = Call("GET", std::string(js->path));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(Header(r, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(r.body, js->body);
  EXPECT_EQ(Call("HEAD", std::string(js->path)).status, 200);
}

TEST(Web, GzipOnlyWhenAccepted) {
  SKIP_WITHOUT_WEB();
  const WebAsset* js = FirstHashed(".js");
  ASSERT_NE(js, nullptr);
  ASSERT_FALSE(js->gzip_body.empty());
  std::string path(js->path);
  Reply plain = Call("GET", path);
  EXPECT_EQ(Header(plain, "Content-Encoding"), "");
  EXPECT_EQ(Header(plain, "Vary"), "Accept-Encoding");
  for (std::string ae : {"gzip", "br, gzip, deflate", "gzip;q=0.5", " gzip ; q=1"}) {
    Reply r = Call("GET", path, ae);
    EXPECT_EQ(Header(r, "Content-Encoding"), "gzip") << ae;
    EXPECT_EQ(r.body, js->gzip_body) << ae;
  }
  for (std::string ae : {"br", "gzip;q=0", "gzip; q=0.000", "x-gzip", "gzipx"}) {
    Reply r = Call("GET", path, ae);
    EXPECT_EQ(Header(r, "Content-Encoding"), "") << ae;
    EXPECT_EQ(r.body, js->body) << ae;
  }
}

TEST(Web, OnlyExactPathsAndReadMethodsAreServed) {
  SKIP_WITHOUT_WEB();
  const WebAsset* js = FirstHashed(".js");
  ASSERT_NE(js, nullptr);
  std::string path(js->path);
  for (std::string near :
       {std::string("/index.html"), std::string("/files"), std::string("/assets/"),
        std::string("/assets"), path + "/", path + ".map", "/" + path,
        std::string("/assets/../index.html"), std::string("//")}) {
    EXPECT_EQ(Call("GET", near).status, 404) << near;
  }
  for (std::string method : {"POST", "PUT", "DELETE", "PATCH"}) {
    Reply r = Call(method, "/");
    EXPECT_EQ(r.status, 405) << method;
    EXPECT_EQ(Header(r, "Allow"), "GET, HEAD");
  }
}

}  // namespace
}  // namespace coffer::http
