// Range header parsing at its edges, and download filenames that cannot break out.
#include <gtest/gtest.h>

#include <algorithm>

#include "http/content_disposition.h"
#include "http/range.h"

namespace coffer::http {
namespace {

using Kind = RangeRequest::Kind;

void ExpectRange(std::string_view h, uint64_t size, uint64_t first, uint64_t length) {
  RangeRequest r = ParseRange(h, size);
  EXPECT_EQ(r.kind, Kind::kSatisfiable) << h;
  EXPECT_EQ(r.first, first) << h;
  EXPECT_EQ(r.length, length) << h;
}

TEST(Range, WellFormedSingleRanges) {
  ExpectRange("bytes=0-0", 10, 0, 1);
  ExpectRange("bytes=0-9", 10, 0, 10);
  ExpectRange("bytes=0-99", 10, 0, 10);  // clipped to the end
  ExpectRange("bytes=9-", 10, 9, 1);
  ExpectRange("bytes=3-5", 10, 3, 3);
  ExpectRange("bytes=-1", 10, 9, 1);
  ExpectRange("bytes=-10", 10, 0, 10);
  ExpectRange("bytes=-999", 10, 0, 10);
  ExpectRange("Bytes=0-0", 10, 0, 1);  // the unit is case-insensitive
  ExpectRange("bytes=9223372036854775806-", uint64_t{1} << 63, 9223372036854775806u, 2);
}

TEST(Range, UnsatisfiableRangesAre416) {
  for (std::string_view h : {"bytes=10-", "bytes=10-20", "bytes=-0"}) {
    EXPECT_EQ(ParseRange(h, 10).kind, Kind::kUnsatisfiable) << h;
  }
  EXPECT_EQ(ParseRange("bytes=0-", 0).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=-5", 0).kind, Kind::kUnsatisfiable);
}

TEST(Range, AnythingElseIsIgnored) {
  for (std::string_view h :
       {"", "bytes", "bytes=", "bytes=-", "bytes=5-3", "bytes=0-1,3-4", "bytes= 0-1", "bytes=0 -1",
        "bytes=a-b", "bytes=0x1-2", "bytes=+1-2", "bytes=--1", "bytes=1--2", "items=0-1",
        "bytes=99999999999999999999-", "bytes=-99999999999999999999", "bytes=0-1\r\nX: y",
        "bytesx0-1", "bytes=1-2-3"}) {
    EXPECT_EQ(ParseRange(h, 100).kind, Kind::kIgnore) << h;
  }
}

TEST(ContentDisposition, AlwaysAttachmentWithEncodedName) {
  EXPECT_EQ(AttachmentDisposition("report.pdf"),
            "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf");
  EXPECT_EQ(AttachmentDisposition("Grüße 2026.csv"),
            "attachment; filename=\"Gr____e 2026.csv\"; "
            "filename*=UTF-8''Gr%C3%BC%C3%9Fe%202026.csv");
  EXPECT_EQ(AttachmentDisposition(""), "attachment; filename=\"download\"; filename*=UTF-8''");
}

TEST(ContentDisposition, HostileNamesCannotBreakTheHeader) {
  std::string v = AttachmentDisposition("a\"; filename=evil.html\r\nSet-Cookie: x=1\\%00.aspx");
  EXPECT_EQ(v.rfind("attachment; ", 0), 0u);
  EXPECT_EQ(v.find('\r'), std::string::npos);
  EXPECT_EQ(v.find('\n'), std::string::npos);
  EXPECT_EQ(v.find('\\'), std::string::npos);
  // Exactly the two quotes around the fallback.
  EXPECT_EQ(std::count(v.begin(), v.end(), '"'), 2);
  EXPECT_NE(v.find("filename*=UTF-8''a%22%3B%20filename%3Devil.html%0D%0ASet-Cookie%3A%20x%3D1%5C"
                   "%2500.aspx"),
            std::string::npos)
      << v;
}

}  // namespace
}  // namespace coffer::http
