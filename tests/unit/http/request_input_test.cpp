// The strict query-string and JSON-body readers, at every limit's edge.
#include "http/request_input.h"

#include <gtest/gtest.h>

namespace coffer::http {
namespace {

Request JsonRequest(std::string body, std::string type = "application/json") {
  Request r{"POST", "/x", "127.0.0.1", {}, std::move(body)};
  if (!type.empty()) r.headers.emplace_back("content-type", std::move(type));
  return r;
}

TEST(Query, DecodesPercentEscapesAndPlusAsSpace) {
  auto q = Query::Parse("/x?path=%2FMy+Folder%2Fa%2Bb&user=&flag&x=%C3%A9");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->Get("path"), "/My Folder/a+b");
  EXPECT_EQ(q->Get("user"), "");
  EXPECT_EQ(q->Get("flag"), "");
  EXPECT_EQ(q->Get("x"), "\xC3\xA9");
  EXPECT_EQ(q->Get("missing"), std::nullopt);
  EXPECT_EQ(q->Require("user", "needs user").status().message(), "needs user");
  EXPECT_TRUE(q->Only({"path", "user", "flag", "x"}).ok());
  EXPECT_EQ(q->Only({"path"}).message(), "unknown query parameter");
  EXPECT_TRUE(Query::Parse("/x").ok());
  EXPECT_TRUE(Query::Parse("/x?").ok());
  EXPECT_TRUE(Query::Parse("/x?&&a=1&").ok());
}

TEST(Query, RefusesWhatCouldBeReadTwoWays) {
  for (std::string_view bad :
       {"/x?a=1&a=2", "/x?a=%zz", "/x?a=%2", "/x?a=%", "/x?a=b%00c", "/x?%61=1&a=2"}) {
    auto q = Query::Parse(bad);
    EXPECT_EQ(q.status().code(), Code::kInvalidArgument) << bad;
  }
}

TEST(Query, ValueAndCountLimits) {
  std::string at_limit = "/x?a=" + std::string(kMaxInputStringBytes, 'v');
  EXPECT_TRUE(Query::Parse(at_limit).ok());
  EXPECT_EQ(Query::Parse(at_limit + "v").status().code(), Code::kLimitExceeded);
  std::string many = "/x?";
  for (int i = 0; i < 32; ++i) many += "p" + std::to_string(i) + "=1&";
  EXPECT_TRUE(Query::Parse(many).ok());
  EXPECT_EQ(Query::Parse(many + "p32=1").status().code(), Code::kLimitExceeded);
}

TEST(JsonBody, NeedsAJsonObjectDeclaredAsJson) {
  EXPECT_TRUE(JsonBody::Parse(JsonRequest("{}")).ok());
  EXPECT_TRUE(JsonBody::Parse(JsonRequest("{}", "Application/JSON; charset=utf-8")).ok());
  EXPECT_EQ(InputProblem(JsonBody::Parse(JsonRequest("{}", "text/plain")).status()).status, 415);
  EXPECT_EQ(InputProblem(JsonBody::Parse(JsonRequest("{}", "")).status()).status, 415);
  EXPECT_EQ(InputProblem(JsonBody::Parse(JsonRequest("{}", "application/jsonx")).status()).status,
            415);
  EXPECT_EQ(JsonBody::Parse(JsonRequest("[]")).status().message(),
            "the body must be a JSON object");
  EXPECT_EQ(JsonBody::Parse(JsonRequest("{")).status().message(), "the body is not valid JSON");
  EXPECT_EQ(JsonBody::Parse(JsonRequest("{\"a\": \"\xff\"}")).status().message(),
            "the body is not valid JSON");
  EXPECT_EQ(JsonBody::Parse(JsonRequest("")).status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(JsonBody::Parse(JsonRequest("", ""), true).ok());
}

TEST(JsonBody, FieldsAreTypedAndBounded) {
  auto b = JsonBody::Parse(JsonRequest(
      R"({"s": "text", "n": 5, "big": 9223372036854775807, "huge": 9223372036854775808,
          "neg": -1, "f": 1.0, "t": true, "list": ["a", "b"], "nul": "a\u0000b"})"));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b->String("s", "bad").value(), "text");
  EXPECT_EQ(b->String("n", "bad").status().message(), "bad");
  EXPECT_EQ(b->String("s", "bad", 3).status().code(), Code::kLimitExceeded);
  EXPECT_EQ(b->String("nul", "bad").status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(b->String("absent", "bad").value().has_value());
  EXPECT_EQ(*b->Integer("n", 0, 5, "bad").value(), 5);
  EXPECT_EQ(b->Integer("n", 0, 4, "bad").status().message(), "bad");
  EXPECT_EQ(*b->Integer("big", 0, INT64_MAX, "bad").value(), INT64_MAX);
  EXPECT_EQ(b->Integer("huge", 0, INT64_MAX, "bad").status().message(), "bad");
  EXPECT_EQ(b->Integer("neg", 0, 10, "bad").status().message(), "bad");
  EXPECT_EQ(b->Integer("f", 0, 10, "bad").status().message(), "bad");
  EXPECT_EQ(*b->Bool("t", "bad").value(), true);
  EXPECT_EQ(b->Bool("n", "bad").status().message(), "bad");
  EXPECT_EQ(b->Strings("list", 2, "bad").value()->size(), 2u);
  EXPECT_EQ(b->Strings("list", 1, "bad").status().message(), "bad");
  EXPECT_EQ(b->Strings("s", 5, "bad").status().message(), "bad");
  EXPECT_EQ(b->Only({"s"}).message(), "the body has an unknown field");
}

// A member named twice was read last-one-wins: {"path": "/Team/a", "path": "/Secret/a"}
// acted on the second, whatever a proxy or log reading the first believed.
TEST(JsonBody, ADuplicateMemberIsRefusedNotLastOneWins) {
  EXPECT_FALSE(JsonBody::Parse(JsonRequest(R"({"path": "/a", "path": "/b"})")).ok());
  EXPECT_FALSE(JsonBody::Parse(JsonRequest(R"({"a": {"x": 1, "x": 2}})")).ok());
  EXPECT_FALSE(JsonBody::Parse(JsonRequest(R"({"a": [{"x": 1}, {"y": 1, "y": 1}]})")).ok());
  // The same name in different objects, or nested under itself, is no duplicate.
  EXPECT_TRUE(JsonBody::Parse(JsonRequest(R"({"x": {"x": 1}, "y": [{"x": 1}, {"x": 2}]})")).ok());
  EXPECT_TRUE(ParseJsonStrictly(R"({"a": 1, "b": {"a": 2}, "c": 3})").is_object());
  EXPECT_TRUE(ParseJsonStrictly(R"({"a": 1, "a": 1})").is_discarded());
  EXPECT_TRUE(ParseJsonStrictly("{\"a\": 1, \"\\u0061\": 2}").is_discarded());  // escaped alike
}

TEST(JsonBody, NestingDeeperThanTheLimitIsRefused) {
  EXPECT_TRUE(ParseJsonStrictly(R"({"a": {"b": 1}})", 3).is_object());
  EXPECT_TRUE(ParseJsonStrictly(R"({"a": {"b": {"c": {"d": {"e": 1}}}}})", 3).is_discarded());
  EXPECT_TRUE(ParseJsonStrictly(std::string(100, '[') + std::string(100, ']')).is_discarded());
  EXPECT_TRUE(ParseJsonStrictly("{\"a\": ").is_discarded());
}

TEST(InputProblem, CarriesTheConstantAsDetail) {
  Reply r = InputProblem(InvalidArgument("the query needs name="));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("the query needs name="), std::string::npos);
  EXPECT_EQ(InputProblem(LimitExceeded("a query value is too long")).status, 413);
}

}  // namespace
}  // namespace coffer::http
