// The OpenAPI document and the route table describe the same API: every route
// under /api/v1 is documented with its method, and every documented operation
// is a route. Also: the document is valid JSON that declares OpenAPI 3.1 and
// gives every operation an operationId and responses.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <set>
#include <string>

#include "http/openapi.h"
#include "http/router.h"

namespace coffer::http {
namespace {

using nlohmann::json;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

json Document() {
  json doc = json::parse(OpenApiDocument(), nullptr, false);
  EXPECT_FALSE(doc.is_discarded());
  return doc;
}

TEST(OpenApi, IsOpenApi31WithIdsAndResponses) {
  json doc = Document();
  EXPECT_EQ(doc["openapi"], "3.1.0");
  std::set<std::string> ids;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      ASSERT_TRUE(op.contains("operationId")) << method << " " << path;
      EXPECT_TRUE(ids.insert(op["operationId"].get<std::string>()).second) << path;
      EXPECT_FALSE(op["responses"].empty()) << method << " " << path;
    }
  }
}

TEST(OpenApi, EveryRouteIsDocumentedAndEveryDocumentedRouteExists) {
  json doc = Document();
  std::set<std::pair<std::string, std::string>> routes, documented;
  const Router router = Router::Default();
  for (const auto& r : router.routes()) {
    if (!r.path.starts_with("/api/v1/")) continue;  // the web interface's files
    routes.emplace(std::string(r.path), Lower(MethodName(r.method)));
  }
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) documented.emplace(path, method);
  }
  for (const auto& r : routes)
    EXPECT_TRUE(documented.count(r)) << "not documented: " << r.second << " " << r.first;
  for (const auto& d : documented)
    EXPECT_TRUE(routes.count(d)) << "documented but not routed: " << d.second << " " << d.first;
}

}  // namespace
}  // namespace coffer::http
