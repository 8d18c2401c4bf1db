// The route table, the error table and the security headers, without a network.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/api.h"
#include "http/problem.h"
#include "http/router.h"

namespace coffer::http {
namespace {

Reply Call(std::string method, std::string target) {
  static const Api api;
  return api.Handle(Request{std::move(method), std::move(target), "127.0.0.1", {}, {}});
}

std::string Header(const Reply& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

TEST(Router, MatchesExactMethodAndPathOnly) {
  Router router = Router::Default();
  EXPECT_TRUE(router.Find(Method::kGet, "/api/v1/status").match);
  for (std::string_view near :
       {"/api/v1/status/", "/api/v1/Status", "/api/v1/status/x", "/api/v1/statu", "//api/v1/status",
        "/api/v1/./status", "/api/v1/%73tatus", ""}) {
    RouteLookup l = router.Find(Method::kGet, near);
    EXPECT_FALSE(l.match) << near;
    EXPECT_TRUE(l.allowed.empty()) << near;
  }
  RouteLookup post = router.Find(Method::kPost, "/api/v1/status");
  EXPECT_FALSE(post.match);
  EXPECT_EQ(post.allowed, std::vector<Method>{Method::kGet});
}

TEST(Router, MethodsAreCaseSensitiveTokens) {
  EXPECT_EQ(ParseMethod("GET"), Method::kGet);
  EXPECT_FALSE(ParseMethod("get"));
  EXPECT_FALSE(ParseMethod("GET "));
  EXPECT_FALSE(ParseMethod("TRACE"));
  EXPECT_FALSE(ParseMethod(""));
}

TEST(Problem, EveryServiceCodeHasAStatusAndNoneIsOkButOk) {
  for (int c = 0; c <= static_cast<int>(Code::kInternal); ++c) {
    int s = HttpStatusFor(static_cast<Code>(c));
    if (c == 0) {
      EXPECT_EQ(s, 200);
    } else {
      EXPECT_GE(s, 400);
      EXPECT_NE(TitleFor(s), "Error") << s;
    }
  }
  EXPECT_EQ(HttpStatusFor(Code::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(Code::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(Code::kIntegrity), 500);
}

TEST(Api, UnknownPathIsA404ProblemThatDoesNotEchoInput) {
  const std::string probe = "/api/v1/<script>alert(1)</script>/../../etc/passwd?x='; DROP TABLE";
  Reply r = Call("GET", probe);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/problem+json");
  auto doc = nlohmann::json::parse(r.body);
  EXPECT_EQ(doc["status"], 404);
  EXPECT_EQ(doc["title"], "Not Found");
  for (std::string_view piece : {"script", "etc", "passwd", "DROP", "api"}) {
    EXPECT_EQ(r.body.find(piece), std::string::npos) << piece;
  }
  // Identical whatever was asked for.
  EXPECT_EQ(Call("GET", "/nothing").body, r.body);
}

TEST(Api, KnownPathWrongMethodIs405WithAllow) {
  Reply r = Call("DELETE", "/api/v1/status");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(Header(r, "Allow"), "GET");
}

TEST(Api, UnknownMethodsAndNonPathTargetsAreRefused) {
  EXPECT_EQ(Call("TRACE", "/api/v1/status").status, 501);
  EXPECT_EQ(Call("get", "/api/v1/status").status, 501);
  EXPECT_EQ(Call("GET", "https://evil.example/api/v1/status").status, 400);
  EXPECT_EQ(Call("GET", "*").status, 400);
  EXPECT_EQ(Call("GET", "").status, 400);
}

TEST(Api, QueryIsNotPartOfThePath) { EXPECT_EQ(Call("GET", "/api/v1/status?x=1").status, 200); }

TEST(Api, SecurityHeadersAreStrict) {
  std::map<std::string, std::string> h;
  for (const auto& [n, v] : SecurityHeaders()) h[std::string(n)] = std::string(v);
  EXPECT_NE(h["Content-Security-Policy"].find("default-src 'none'"), std::string::npos);
  EXPECT_NE(h["Content-Security-Policy"].find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(h["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(h["Referrer-Policy"], "no-referrer");
  EXPECT_NE(h["Strict-Transport-Security"].find("max-age="), std::string::npos);
}

}  // namespace
}  // namespace coffer::http
