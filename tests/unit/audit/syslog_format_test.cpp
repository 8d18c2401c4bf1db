// RFC 5424 messages and RFC 6587 octet-counting frames for activity records.
#include <gtest/gtest.h>

#include "audit/syslog_format.h"

namespace coffer::audit {
namespace {

TEST(SyslogFormat, CarriesEveryFieldAndTheChainInStructuredData) {
  Bytes prev(32, 0x11), hash(32, 0xab);
  RecordView r{42,         1'800'000'000'123'456,
               7,          "alice",
               "sftp",     "192.0.2.7",
               "s1",       "file.upload",
               "/a/b.txt", 9,
               "ok",       "",
               4096,       "00ff",
               prev,       hash};
  std::string m = FormatSyslog({13, "host1"}, r);
  EXPECT_EQ(m.rfind("<110>1 2027-01-15T08:00:00.123456Z host1 coffer - file.upload "
                    "[coffer@32473 id=\"42\" hash=\"",
                    0),
            0u)
      << m;
  EXPECT_NE(m.find("hash=\"" + ToHex(hash) + "\""), std::string::npos);
  EXPECT_NE(m.find("prev_hash=\"" + ToHex(prev) + "\""), std::string::npos);
  EXPECT_NE(m.find("path=\"/a/b.txt\""), std::string::npos);
  EXPECT_NE(m.find("bytes=\"4096\""), std::string::npos);
  EXPECT_NE(m.find("] \xEF\xBB\xBF"
                   "alice file.upload ok /a/b.txt"),
            std::string::npos);
}

TEST(SyslogFormat, SeverityFollowsTheResult) {
  RecordView r{};
  r.result = "denied";
  EXPECT_EQ(FormatSyslog({4, "h"}, r).rfind("<37>1 ", 0), 0u);  // 4*8 + notice
  r.result = "error";
  EXPECT_EQ(FormatSyslog({4, "h"}, r).rfind("<36>1 ", 0), 0u);
}

TEST(SyslogFormat, EscapesValuesAndSanitisesHeaderTokens) {
  EXPECT_EQ(EscapeSdValue(R"(a"b\c]d)"), R"(a\"b\\c\]d)");
  RecordView r{};
  r.action = "bad action with spaces and far too long for a msgid";
  r.path = "/x\"]";
  std::string m = FormatSyslog({13, ""}, r);
  EXPECT_NE(m.find(" - coffer - bad_action_with_spaces_and_far_t ["), std::string::npos) << m;
  EXPECT_NE(m.find(R"(path="/x\"\]")"), std::string::npos);
}

TEST(SyslogFormat, OctetCountingFramesByByteLength) {
  EXPECT_EQ(FrameOctetCounted("<14>1 - - - - - - h\xC3\xA9"), "21 <14>1 - - - - - - h\xC3\xA9");
  EXPECT_EQ(FrameOctetCounted(""), "0 ");
}

}  // namespace
}  // namespace coffer::audit
