// CSV cells of activity exports: quoted, and never read as a formula.
#include <gtest/gtest.h>

#include "service/activity_csv.h"

namespace coffer::service {
namespace {

TEST(ActivityCsv, FormulaLeadsArePrefixedWithAQuote) {
  EXPECT_EQ(CsvCell("=SUM(A1)"), "\"'=SUM(A1)\"");
  EXPECT_EQ(CsvCell("+1"), "\"'+1\"");
  EXPECT_EQ(CsvCell("-1"), "\"'-1\"");
  EXPECT_EQ(CsvCell("@cmd"), "\"'@cmd\"");
  EXPECT_EQ(CsvCell("\tx"), "\"'\tx\"");
  EXPECT_EQ(CsvCell("\rx"), "\"'\rx\"");
  EXPECT_EQ(CsvCell("/a=b"), "\"/a=b\"");
  EXPECT_EQ(CsvCell(""), "\"\"");
}

TEST(ActivityCsv, QuotesAreDoubled) { EXPECT_EQ(CsvCell("a\"b,c"), "\"a\"\"b,c\""); }

TEST(ActivityCsv, RowHasTheHeadersColumns) {
  store::ActivityRecord r;
  r.id = 3;
  r.at_us = 1'800'000'000'000'001;
  r.actor_name = "alice";
  r.action = "file.upload";
  std::string row = ActivityCsvRow(r);
  EXPECT_EQ(row.rfind("\"3\",\"2027-01-15T08:00:00.000001Z\",\"1800000000000001\",\"alice\"", 0),
            0u);
  auto count = [](const std::string& s) { return std::count(s.begin(), s.end(), ','); };
  EXPECT_EQ(count(ActivityCsvHeader()), count(row));
  EXPECT_EQ(row.substr(row.size() - 2), "\r\n");
}

}  // namespace
}  // namespace coffer::service
