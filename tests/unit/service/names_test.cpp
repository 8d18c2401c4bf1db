// Hostile and tricky names against the one set of name rules, and a record of
// what utf8proc's NFC and case folding do on the cases that matter for uniqueness.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "service/names.h"

namespace coffer::service {
namespace {

const NameLimits kLimits;

std::string Repeat(std::string_view s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

template <typename T>
Code CodeOf(const Result<T>& r) {
  return r.ok() ? Code::kOk : r.status().code();
}

// A refusal message must be safe to print on a terminal or in a log line.
void ExpectPrintable(const std::string& message, const std::string& what) {
  for (char ch : message) {
    auto b = static_cast<unsigned char>(ch);
    EXPECT_TRUE(b >= 0x20 && b < 0x7f) << what << ": message echoes a raw byte";
  }
}

struct Case {
  const char* what;
  std::string raw;
  Code code;  // kOk: accepted
};

const Case kNameCases[] = {
    // Traversal and separators.
    {"empty", "", Code::kInvalidArgument},
    {"dot", ".", Code::kInvalidArgument},
    {"dot dot", "..", Code::kInvalidArgument},
    {"dot dot slash x as one component", "../x", Code::kInvalidArgument},
    {"slash", "a/b", Code::kInvalidArgument},
    {"leading slash", "/etc", Code::kInvalidArgument},
    {"backslash", "a\\b", Code::kInvalidArgument},
    {"backslash traversal", "..\\..\\windows", Code::kInvalidArgument},
    // Controls.
    {"NUL", std::string("a\0b", 3), Code::kInvalidArgument},
    {"NUL alone", std::string(1, '\0'), Code::kInvalidArgument},
    {"CR LF", "a\r\nb", Code::kInvalidArgument},
    {"newline (log injection)", "x\nAUDIT ok user=admin", Code::kInvalidArgument},
    {"tab", "a\tb", Code::kInvalidArgument},
    {"ESC colour sequence", "\x1b[31mred", Code::kInvalidArgument},
    {"ESC title sequence", "a\x1b]0;pwned\x07", Code::kInvalidArgument},
    {"DEL", "a\x7f", Code::kInvalidArgument},
    {"C1 NEL", "a\xc2\x85", Code::kInvalidArgument},
    {"C1 CSI",
     "a\xc2\x9b"
     "31m",
     Code::kInvalidArgument},
    // Invisible and direction-changing characters.
    {"RLO extension spoof", "invoice\xe2\x80\xaetxt.exe", Code::kInvalidArgument},
    {"LRE", "a\xe2\x80\xaa", Code::kInvalidArgument},
    {"PDF",
     "a\xe2\x80\xac"
     "b",
     Code::kInvalidArgument},
    {"LRI",
     "a\xe2\x81\xa6"
     "b",
     Code::kInvalidArgument},
    {"PDI",
     "a\xe2\x81\xa9"
     "b",
     Code::kInvalidArgument},
    {"LRM", "a\xe2\x80\x8e", Code::kInvalidArgument},
    {"RLM", "report\xe2\x80\x8f.pdf", Code::kInvalidArgument},
    {"ALM", "a\xd8\x9c", Code::kInvalidArgument},
    {"zero width space", "re\xe2\x80\x8bport.pdf", Code::kInvalidArgument},
    {"word joiner",
     "a\xe2\x81\xa0"
     "b",
     Code::kInvalidArgument},
    {"byte order mark",
     "\xef\xbb\xbf"
     "a",
     Code::kInvalidArgument},
    {"soft hyphen", "pay\xc2\xadroll", Code::kInvalidArgument},
    {"tag character", "a\xf3\xa0\x81\x81", Code::kInvalidArgument},
    {"Hangul filler", "\xe3\x85\xa4", Code::kInvalidArgument},
    {"combining grapheme joiner",
     "a\xcd\x8f"
     "b",
     Code::kInvalidArgument},
    {"ZWJ inside an ASCII name", "re\xe2\x80\x8dport.pdf", Code::kInvalidArgument},
    {"ZWJ at the end", "report.pdf\xe2\x80\x8d", Code::kInvalidArgument},
    {"ZWJ alone", "\xe2\x80\x8d", Code::kInvalidArgument},
    {"ZWNJ alone", "\xe2\x80\x8c", Code::kInvalidArgument},
    {"variation selector after ASCII", "a\xef\xb8\x8f", Code::kInvalidArgument},
    {"line separator", "a\xe2\x80\xa8", Code::kInvalidArgument},
    {"paragraph separator",
     "a\xe2\x80\xa9"
     "b",
     Code::kInvalidArgument},
    {"leading combining mark",
     "\xcc\x81"
     "a",
     Code::kInvalidArgument},
    // Ends that Windows clients strip.
    {"trailing dot", "report.", Code::kInvalidArgument},
    {"trailing space", "report ", Code::kInvalidArgument},
    {"trailing dot then space", "report. ", Code::kInvalidArgument},
    {"only dots", "...", Code::kInvalidArgument},
    {"only a space", " ", Code::kInvalidArgument},
    {"trailing no-break space", "report.pdf\xc2\xa0", Code::kInvalidArgument},
    {"trailing ideographic space", "report\xe3\x80\x80", Code::kInvalidArgument},
    // Invalid UTF-8.
    {"overlong slash", "a\xc0\xaf", Code::kInvalidArgument},
    {"overlong dot dot", "\xc0\xae\xc0\xae", Code::kInvalidArgument},
    {"3-byte overlong dot", "\xe0\x80\xae", Code::kInvalidArgument},
    {"overlong NUL", "a\xc0\x80", Code::kInvalidArgument},
    {"lone high surrogate", "a\xed\xa0\x80", Code::kInvalidArgument},
    {"lone low surrogate",
     "\xed\xbf\xbf"
     "a",
     Code::kInvalidArgument},
    {"CESU surrogate pair", "\xed\xa0\xbd\xed\xb8\x80", Code::kInvalidArgument},
    {"truncated 3-byte sequence", "a\xe2\x82", Code::kInvalidArgument},
    {"truncated 4-byte sequence", "\xf0\x9f\x98", Code::kInvalidArgument},
    {"stray continuation byte",
     "\x80"
     "abc",
     Code::kInvalidArgument},
    {"0xFF byte", "a\xff", Code::kInvalidArgument},
    {"Latin-1 e acute", "caf\xe9", Code::kInvalidArgument},
    {"above U+10FFFF", "\xf4\x90\x80\x80", Code::kInvalidArgument},
    {"unassigned code point", "\xf0\xaf\xbf\xbf", Code::kInvalidArgument},
    {"noncharacter U+FFFE", "a\xef\xbf\xbe", Code::kInvalidArgument},
    // Length after NFC.
    {"256 bytes", std::string(256, 'n'), Code::kLimitExceeded},
    {"one megabyte", std::string(1 << 20, 'n'), Code::kLimitExceeded},
    {"128 two-byte chars (256 bytes)", Repeat("\xc3\xa9", 128), Code::kLimitExceeded},
    {"85 three-byte chars + 1 (256 bytes)", Repeat("\xe6\x96\x87", 85) + "x", Code::kLimitExceeded},
    {"64 four-byte chars (256 bytes)", Repeat("\xf0\x9f\x93\x84", 64), Code::kLimitExceeded},
    {"128 NFD e-acute: 384 raw, 256 after NFC", Repeat("e\xcc\x81", 128), Code::kLimitExceeded},
    // Accepted.
    {"percent-encoded dots are a literal name", "%2e%2e", Code::kOk},
    {"percent-encoded slash is literal", "a%2fb", Code::kOk},
    {"three dots then a letter", "...a", Code::kOk},
    {"fullwidth full stops are not dots", "\xef\xbc\x8e\xef\xbc\x8e", Code::kOk},
    {"leading dot file", ".htaccess", Code::kOk},
    {"web shell name (content is never executed)", "human2.aspx", Code::kOk},
    {"leading space", " a", Code::kOk},
    {"inner spaces", "Q3 report final.pdf", Code::kOk},
    {"255 bytes", std::string(255, 'n'), Code::kOk},
    {"127 two-byte chars + 1 (255 bytes)", Repeat("\xc3\xa9", 127) + "x", Code::kOk},
    {"85 three-byte chars (255 bytes)", Repeat("\xe6\x96\x87", 85), Code::kOk},
    {"63 four-byte chars + 3 (255 bytes)", Repeat("\xf0\x9f\x93\x84", 63) + "abc", Code::kOk},
    {"255 bytes after NFC from 382 raw", Repeat("e\xcc\x81", 127) + "x", Code::kOk},
    {"emoji ZWJ sequence", "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb", Code::kOk},
    {"emoji with variation selector", "\xe2\x9d\xa4\xef\xb8\x8f.txt", Code::kOk},
    {"Persian ZWNJ", "\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae\xd9\x88\xd8\xa7\xd9\x87\xd9\x85",
     Code::kOk},
    {"Devanagari virama + ZWJ", "\xe0\xa4\x95\xe0\xa5\x8d\xe2\x80\x8d\xe0\xa4\xb7", Code::kOk},
    {"Arabic (right-to-left without overrides)", "\xd8\xaa\xd9\x82\xd8\xb1\xd9\x8a\xd8\xb1.pdf",
     Code::kOk},
    {"CJK", "\xe6\x96\x87\xe4\xbb\xb6.txt", Code::kOk},
    {"private use character", "\xee\x80\x80", Code::kOk},
    {"fullwidth solidus is not a separator",
     "a\xef\xbc\x8f"
     "b",
     Code::kOk},
    {"shell metacharacters are just bytes", "$(rm -rf ~);`x`|&<>*?", Code::kOk},
    {"SQL is just a name", "'; DROP TABLE files;--", Code::kOk},
};

TEST(NamesTest, HostileNameTable) {
  size_t refused = 0;
  for (const auto& c : kNameCases) {
    auto r = NormalizeName(c.raw, kLimits);
    EXPECT_EQ(CodeOf(r), c.code) << c.what;
    if (!r.ok()) {
      ++refused;
      ExpectPrintable(r.status().message(), c.what);
    } else {
      EXPECT_LE(r->name.size(), kLimits.max_name_bytes) << c.what;
    }
  }
  EXPECT_GE(refused, 40u);
}

TEST(NamesTest, RefusalsNameTheCodePointNotTheBytes) {
  auto r = NormalizeName("invoice\xe2\x80\xaetxt.exe", kLimits);
  EXPECT_NE(r.status().message().find("U+202E"), std::string::npos) << r.status().message();
  auto esc = NormalizeName("\x1b[31m", kLimits);
  EXPECT_NE(esc.status().message().find("U+001B"), std::string::npos) << esc.status().message();
}

TEST(NamesTest, NfdInputBecomesNfc) {
  auto r = NormalizeName("e\xcc\x81", kLimits);  // e + COMBINING ACUTE
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->name, "\xc3\xa9");  // U+00E9
  EXPECT_EQ(r->key, "\xc3\xa9");
  // Hangul jamo L+V+T compose to one syllable.
  EXPECT_EQ(NormalizeName("\xe1\x84\x80\xe1\x85\xa1\xe1\x86\xa8", kLimits)->name, "\xea\xb0\x81");
  // Canonical singletons: KELVIN SIGN is K, OHM SIGN is Greek capital omega,
  // ANGSTROM SIGN is A-ring; the stored name itself changes.
  EXPECT_EQ(NormalizeName("\xe2\x84\xaa", kLimits)->name, "K");
  EXPECT_EQ(NormalizeName("\xe2\x84\xa6", kLimits)->name, "\xce\xa9");
  EXPECT_EQ(NormalizeName("\xe2\x84\xab", kLimits)->name, "\xc3\x85");
}

TEST(NamesTest, CasePreservedKeyFolded) {
  auto upper = NormalizeName("Report.PDF", kLimits);
  auto lower = NormalizeName("report.pdf", kLimits);
  EXPECT_EQ(upper->name, "Report.PDF");
  EXPECT_EQ(upper->key, "report.pdf");
  EXPECT_EQ(upper->key, lower->key);
  EXPECT_EQ(NormalizeName("CAF\xc3\x89", kLimits)->key,
            NormalizeName("cafe\xcc\x81", kLimits)->key);
}

// What utf8proc's UTF8PROC_CASEFOLD does (full, default, non-Turkic folding).
TEST(NamesTest, RecordOfUtf8procCaseFolding) {
  auto key = [](std::string_view s) { return NormalizeName(s, kLimits)->key; };
  // German: sharp s and capital sharp s fold to "ss", so these three collide.
  EXPECT_EQ(key("STRASSE"), "strasse");
  EXPECT_EQ(key("stra\xc3\x9f"
                "e"),
            "strasse");
  EXPECT_EQ(key("STRA\xe1\xba\x9e"
                "E"),
            "strasse");
  // Ligature fi folds to "fi".
  EXPECT_EQ(key("\xef\xac\x81le"), "file");
  // Greek: capital sigma, small sigma and final sigma all fold to small sigma;
  // YPOGEGRAMMENI forms fold to alpha + iota.
  EXPECT_EQ(key("\xce\xa3\xce\xbf\xcf\x82"), "\xcf\x83\xce\xbf\xcf\x83");
  EXPECT_EQ(key("\xcf\x82"), key("\xce\xa3"));
  EXPECT_EQ(key("\xe1\xbe\xb3"), "\xce\xb1\xce\xb9");
  // Turkish: default folding, not the Turkic one. Dotted capital I folds to
  // "i" + COMBINING DOT ABOVE, so "Istanbul" and "İstanbul" do not collide, and
  // dotless i stays itself, so "ı" and "i" do not collide.
  EXPECT_EQ(key("\xc4\xb0stanbul"), "i\xcc\x87stanbul");
  EXPECT_NE(key("\xc4\xb0stanbul"), key("Istanbul"));
  EXPECT_EQ(key("\xc4\xb1"), "\xc4\xb1");
  EXPECT_EQ(key("I"), "i");
  // Kelvin sign and K end up the same key (NFC already made them the same name).
  EXPECT_EQ(key("\xe2\x84\xaa"), key("k"));
  // Cherokee folds to the UPPERCASE letters (Unicode's stability choice).
  EXPECT_EQ(key("\xe1\x8f\xb8"), "\xe1\x8f\xb0");
  // Not compatibility folding: fullwidth letters keep their own key.
  EXPECT_NE(key("\xef\xbd\x92\xef\xbd\x85\xef\xbd\x90"), key("rep"));
}

TEST(NamesTest, NormalisingTwiceChangesNothing) {
  for (const auto& c : kNameCases) {
    if (c.code != Code::kOk) continue;
    auto once = NormalizeName(c.raw, kLimits);
    auto twice = NormalizeName(once->name, kLimits);
    ASSERT_TRUE(twice.ok()) << c.what;
    EXPECT_EQ(twice->name, once->name) << c.what;
    EXPECT_EQ(twice->key, once->key) << c.what;
  }
}

TEST(NamesTest, SplitPathForms) {
  for (const char* p : {"/a/b/c", "a/b/c", "/a/b/c/", "//a///b//c//"}) {
    auto parts = SplitPath(p, kLimits);
    ASSERT_TRUE(parts.ok()) << p;
    ASSERT_EQ(parts->size(), 3u) << p;
    EXPECT_EQ(JoinPath(*parts), "/a/b/c") << p;
  }
  for (const char* root : {"", "/", "//", "///"}) {
    auto parts = SplitPath(root, kLimits);
    ASSERT_TRUE(parts.ok());
    EXPECT_TRUE(parts->empty());
    EXPECT_EQ(JoinPath(*parts), "/");
  }
  auto mixed = SplitPath("/Payroll/Caf\xc3\x89", kLimits);
  EXPECT_EQ((*mixed)[1].name, "Caf\xc3\x89");
  EXPECT_EQ((*mixed)[1].key, "caf\xc3\xa9");
}

TEST(NamesTest, SplitPathRefusesTraversalInsteadOfResolvingIt) {
  for (const char* p : {"/a/../b", "a/..", "../etc/passwd", "/./a", "a/.", "/a/..\\b", "a\\..\\b",
                        "/a/b\xc0\xaf..", "/a/\xc0\xae\xc0\xae/b"}) {
    EXPECT_EQ(CodeOf(SplitPath(p, kLimits)), Code::kInvalidArgument) << p;
  }
  EXPECT_TRUE(SplitPath("/a/%2e%2e/b", kLimits).ok());
  EXPECT_EQ(CodeOf(SplitPath(std::string("/a\0/b", 5), kLimits)), Code::kInvalidArgument);
}

TEST(NamesTest, PathDepthEdges) {
  std::string at_limit = Repeat("/d", kLimits.max_depth);
  auto ok = SplitPath(at_limit, kLimits);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->size(), kLimits.max_depth);
  EXPECT_EQ(CodeOf(SplitPath(at_limit + "/d", kLimits)), Code::kLimitExceeded);
  // Collapsed slashes do not count as levels.
  EXPECT_TRUE(SplitPath(Repeat("//d", kLimits.max_depth), kLimits).ok());
  NameLimits small{255, 4096, 3};
  EXPECT_TRUE(SplitPath("/a/b/c", small).ok());
  EXPECT_EQ(CodeOf(SplitPath("/a/b/c/d", small)), Code::kLimitExceeded);
}

TEST(NamesTest, PathLengthEdgesAreOnRawBytes) {
  NameLimits small{255, 20, 64};
  EXPECT_TRUE(SplitPath("/" + std::string(19, 'x'), small).ok());
  EXPECT_EQ(CodeOf(SplitPath("/" + std::string(20, 'x'), small)), Code::kLimitExceeded);
  // Exactly at the default 4096 bytes: 16 components of 255 bytes + 16 slashes = 4096.
  std::string full = Repeat("/" + std::string(255, 'p'), 16);
  ASSERT_EQ(full.size(), 4096u);
  EXPECT_TRUE(SplitPath(full, kLimits).ok());
  EXPECT_EQ(CodeOf(SplitPath(full + "/", kLimits)), Code::kLimitExceeded);
  // Huge input is refused by length before any component is looked at.
  std::string huge = std::string(1 << 20, '/') + "\xff";
  EXPECT_EQ(CodeOf(SplitPath(huge, kLimits)), Code::kLimitExceeded);
}

TEST(NamesTest, AccountNames) {
  for (const char* ok :
       {"alice", "a", "A1", "bob.smith", "j_doe-2", "ops@acme.example", "\xc3\xa9lodie", "1st",
        "\xd0\xb8\xd0\xb2\xd0\xb0\xd0\xbd", "\xe0\xa4\xb0\xe0\xa4\xbe\xe0\xa4\xae",
        "\xe7\x94\xb0\xe4\xb8\xad", "e\xcc\x81lodie"}) {
    EXPECT_TRUE(NormalizeAccountName(ok).ok()) << ok;
  }
  for (const char* bad : {"",
                          "-x",
                          ".x",
                          "_x",
                          "@x",
                          "a b",
                          "a/b",
                          "a\\b",
                          "../etc",
                          "a\x01",
                          "a:b",
                          "a\nb",
                          "'; DROP TABLE users;--",
                          "a\xe2\x80\xae",
                          "a\xe2\x80\x8b",
                          "a\xcc\xb6"
                          "dmin",
                          "\xcc\x81"
                          "a",
                          "a\xff",
                          "a\xed\xa0\x80",
                          "alice\xc2\xa0"}) {
    auto r = NormalizeAccountName(bad);
    EXPECT_EQ(CodeOf(r), Code::kInvalidArgument) << bad;
    if (!r.ok()) ExpectPrintable(r.status().message(), bad);
  }
  EXPECT_EQ(NormalizeAccountName("e\xcc\x81lodie")->name, "\xc3\xa9lodie");
  EXPECT_TRUE(NormalizeAccountName(std::string(64, 'a')).ok());
  EXPECT_EQ(CodeOf(NormalizeAccountName(std::string(65, 'a'))), Code::kInvalidArgument);
  EXPECT_TRUE(NormalizeAccountName(Repeat("\xc3\xa9", 32)).ok());
  EXPECT_FALSE(NormalizeAccountName(Repeat("\xc3\xa9", 32) + "x").ok());
  EXPECT_FALSE(NormalizeAccountName(std::string(1 << 20, 'a')).ok());
  EXPECT_EQ(NormalizeAccountName("Alice")->key, NormalizeAccountName("alice")->key);
  EXPECT_EQ(NormalizeAccountName("Alice")->name, "Alice");
}

}  // namespace
}  // namespace coffer::service
