// Hostile and tricky names against the one set of name rules.
#include <gtest/gtest.h>

#include "service/names.h"

namespace coffer::service {
namespace {

const NameLimits kLimits;

struct Case {
  const char* what;
  std::string raw;
  Code code;  // kOk: accepted
};

TEST(NameRulesTest, HostileNamesAreRefused) {
  const Case cases[] = {
      {"empty", "", Code::kInvalidArgument},
      {"dot", ".", Code::kInvalidArgument},
      {"dot dot", "..", Code::kInvalidArgument},
      {"slash", "a/b", Code::kInvalidArgument},
      {"backslash", "a\\b", Code::kInvalidArgument},
      {"backslash traversal", "..\\..\\etc", Code::kInvalidArgument},
      {"NUL", std::string("a\0b", 3), Code::kInvalidArgument},
      {"newline", "a\nb", Code::kInvalidArgument},
      {"CRLF", "a\r\nb", Code::kInvalidArgument},
      {"tab", "a\tb", Code::kInvalidArgument},
      {"escape sequence", "\x1b[31mred", Code::kInvalidArgument},
      {"DEL", "a\x7f", Code::kInvalidArgument},
      {"C1 control", "a\xc2\x85", Code::kInvalidArgument},
      {"bidi override", "invoice\xe2\x80\xaetxt.exe", Code::kInvalidArgument},
      {"bidi isolate", "a\xe2\x81\xa6" "b", Code::kInvalidArgument},
      {"left-to-right mark", "a\xe2\x80\x8e", Code::kInvalidArgument},
      {"arabic letter mark", "a\xd8\x9c", Code::kInvalidArgument},
      {"zero width space", "a\xe2\x80\x8b", Code::kInvalidArgument},
      {"byte order mark", "\xef\xbb\xbf" "a", Code::kInvalidArgument},
      {"line separator", "a\xe2\x80\xa8", Code::kInvalidArgument},
      {"trailing dot", "report.", Code::kInvalidArgument},
      {"trailing space", "report ", Code::kInvalidArgument},
      {"only dots", "...", Code::kInvalidArgument},
      {"overlong slash", "a\xc0\xaf", Code::kInvalidArgument},
      {"overlong dot", "\xc0\xae\xc0\xae", Code::kInvalidArgument},
      {"lone surrogate", "a\xed\xa0\x80", Code::kInvalidArgument},
      {"truncated sequence", "a\xe2\x82", Code::kInvalidArgument},
      {"stray continuation", "\x80" "abc", Code::kInvalidArgument},
      {"invalid byte", "a\xff", Code::kInvalidArgument},
      {"above U+10FFFF", "\xf4\x90\x80\x80", Code::kInvalidArgument},
      {"unassigned", "\xf0\xaf\xbf\xbf", Code::kInvalidArgument},
      {"256 bytes", std::string(256, 'n'), Code::kLimitExceeded},
      {"huge", std::string(1 << 20, 'n'), Code::kLimitExceeded},
      {"128 two-byte chars", [] { std::string s; for (int i = 0; i < 128; ++i) s += "\xc3\xa9"; return s; }(), Code::kLimitExceeded},
      {"percent-encoded dots are literal", "%2e%2e", Code::kOk},
      {"leading dot file", ".htaccess", Code::kOk},
      {"web shell name", "human2.aspx", Code::kOk},
      {"leading space", " a", Code::kOk},
      {"255 bytes", std::string(255, 'n'), Code::kOk},
      {"127 two-byte chars + 1", [] { std::string s; for (int i = 0; i < 127; ++i) s += "\xc3\xa9"; return s + "x"; }(), Code::kOk},
      {"zero width joiner (emoji)", "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb", Code::kOk},
      {"zero width non-joiner (Persian)", "\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae\xd9\x88\xd8\xa7\xd9\x87\xd9\x85", Code::kOk},
      {"CJK", "\xe6\x96\x87\xe4\xbb\xb6.txt", Code::kOk},
  };
  for (const auto& c : cases) {
    auto r = NormalizeName(c.raw, kLimits);
    EXPECT_EQ(r.ok() ? Code::kOk : r.status().code(), c.code) << c.what;
    if (!r.ok()) {
      for (char ch : r.status().message()) {
        EXPECT_FALSE(static_cast<unsigned char>(ch) < 0x20) << c.what << ": message echoes a control";
      }
    }
  }
}

TEST(NameRulesTest, NfcAndCaseFolding) {
  auto nfd = NormalizeName("cafe\xcc\x81", kLimits);  // e + combining acute
  ASSERT_TRUE(nfd.ok());
  EXPECT_EQ(nfd->name, "caf\xc3\xa9");
  auto upper = NormalizeName("CAF\xc3\x89", kLimits);
  EXPECT_EQ(upper->key, nfd->key);
  EXPECT_EQ(upper->name, "CAF\xc3\x89");  // case preserved
  EXPECT_EQ(NormalizeName("Report.PDF", kLimits)->key, NormalizeName("report.pdf", kLimits)->key);
  // Full case folding: German sharp s folds to "ss".
  EXPECT_EQ(NormalizeName("STRASSE", kLimits)->key, NormalizeName("stra\xc3\x9f" "e", kLimits)->key);
  // Greek final sigma and sigma fold together.
  EXPECT_EQ(NormalizeName("\xce\xa3", kLimits)->key, NormalizeName("\xcf\x82", kLimits)->key);
  // Normalising twice changes nothing.
  auto again = NormalizeName(nfd->name, kLimits);
  EXPECT_EQ(again->name, nfd->name);
  EXPECT_EQ(again->key, nfd->key);
}

TEST(NameRulesTest, PathsSplitCollapseAndRespectLimits) {
  auto p = SplitPath("//Payroll///2026/ ", kLimits);
  EXPECT_FALSE(p.ok());  // trailing-space component
  auto q = SplitPath("/Payroll//2026/", kLimits);
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->size(), 2u);
  EXPECT_EQ(JoinPath(*q), "/Payroll/2026");
  EXPECT_TRUE(SplitPath("/", kLimits)->empty());
  EXPECT_TRUE(SplitPath("", kLimits)->empty());
  EXPECT_EQ(SplitPath("/a/../b", kLimits).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(SplitPath("/a/./b", kLimits).status().code(), Code::kInvalidArgument);
  NameLimits small{255, 20, 3};
  EXPECT_TRUE(SplitPath("/a/b/c", small).ok());
  EXPECT_EQ(SplitPath("/a/b/c/d", small).status().code(), Code::kLimitExceeded);
  EXPECT_TRUE(SplitPath(std::string("/") + std::string(19, 'x'), small).ok());
  EXPECT_EQ(SplitPath(std::string("/") + std::string(20, 'x'), small).status().code(),
            Code::kLimitExceeded);
}

TEST(NameRulesTest, AccountNames) {
  for (const char* ok : {"alice", "a", "bob.smith", "j_doe-2", "ops@acme", "\xc3\xa9" "lodie",
                         "1st"}) {
    EXPECT_TRUE(NormalizeAccountName(ok).ok()) << ok;
  }
  for (const char* bad : {"", "-x", ".x", "_x", "a b", "a/b", "../etc", "a\x01", "a:b",
                          "'; DROP TABLE users;--", "a\xe2\x80\xae"}) {
    EXPECT_EQ(NormalizeAccountName(bad).status().code(), Code::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(NormalizeAccountName(std::string(64, 'a')).ok());
  EXPECT_FALSE(NormalizeAccountName(std::string(65, 'a')).ok());
  EXPECT_EQ(NormalizeAccountName("Alice")->key, NormalizeAccountName("alice")->key);
}

}  // namespace
}  // namespace coffer::service
