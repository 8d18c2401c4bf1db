#include "http/tus_headers.h"

#include <gtest/gtest.h>

namespace coffer::http {
namespace {

TEST(TusHeaders, IntegersAreDigitsOnly) {
  EXPECT_EQ(ParseTusInteger("0"), 0u);
  EXPECT_EQ(ParseTusInteger("5368709120"), 5368709120u);
  EXPECT_EQ(ParseTusInteger("9999999999999999999"), 9999999999999999999u);
  for (const char* bad :
       {"", "-1", "+1", " 1", "1 ", "1e3", "0x10", "12a", "10000000000000000000"}) {
    EXPECT_FALSE(ParseTusInteger(bad).has_value()) << bad;
  }
}

TEST(TusHeaders, MetadataPairs) {
  auto m = ParseTusMetadata(
      "path L1RlYW0vYS5iaW4=,is_confidential, filename d29ybGRfZG9taW5hdGlvbl9wbGFuLnBkZg==");
  ASSERT_TRUE(m.has_value());
  ASSERT_EQ(m->size(), 3u);
  EXPECT_EQ((*m)[0].first, "path");
  EXPECT_EQ((*m)[0].second, "/Team/a.bin");
  EXPECT_EQ((*m)[1].first, "is_confidential");
  EXPECT_EQ((*m)[1].second, "");
  EXPECT_EQ((*m)[2].second, "world_domination_plan.pdf");
  EXPECT_TRUE(ParseTusMetadata("")->empty());
}

TEST(TusHeaders, MalformedMetadataIsRefused) {
  for (const char* bad : {"path !!!!", "path L1R", ",", "path a b",
                          "p\xc3\xa4th YQ==", "path YQ==,path Yg==", "path YQ==,,x YQ=="}) {
    EXPECT_FALSE(ParseTusMetadata(bad).has_value()) << bad;
  }
  std::string many;
  for (int i = 0; i <= 32; ++i) many += (i ? "," : "") + std::string("k") + std::to_string(i);
  EXPECT_FALSE(ParseTusMetadata(many).has_value());
}

}  // namespace
}  // namespace coffer::http
