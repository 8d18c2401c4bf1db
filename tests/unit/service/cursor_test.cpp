// Listing cursors: each continues only the order it was made for, and the
// default order keeps its original text form.
#include <gtest/gtest.h>

#include "service/cursor.h"

namespace coffer::service {
namespace {

using store::ListOrder;

TEST(CursorTest, RoundTripsInEveryOrder) {
  for (ListOrder order : {ListOrder::kName, ListOrder::kModified, ListOrder::kSize}) {
    for (bool desc : {false, true}) {
      store::ListCursor c{1, "report.pdf", 42, order, desc, 1767225600};
      auto back = DecodeCursor(EncodeCursor(c), order, desc);
      ASSERT_TRUE(back.ok()) << EncodeCursor(c);
      EXPECT_EQ(back->kind, 1);
      EXPECT_EQ(back->id, 42);
      if (order == ListOrder::kName) {
        EXPECT_EQ(back->name_key, "report.pdf");
      } else {
        EXPECT_EQ(back->value, 1767225600);
      }
    }
  }
}

TEST(CursorTest, ACursorOfOneOrderIsRefusedInAnother) {
  store::ListCursor by_size{0, "", 7, ListOrder::kSize, true, 100};
  std::string text = EncodeCursor(by_size);
  EXPECT_EQ(text, "sd:0.7.100");
  EXPECT_FALSE(DecodeCursor(text, ListOrder::kSize, false).ok());
  EXPECT_FALSE(DecodeCursor(text, ListOrder::kModified, true).ok());
  EXPECT_FALSE(DecodeCursor(text).ok());
  store::ListCursor by_name{1, "a", 3};
  EXPECT_EQ(EncodeCursor(by_name), "1.3.61");
  EXPECT_FALSE(DecodeCursor("1.3.61", ListOrder::kName, true).ok());
}

TEST(CursorTest, MalformedCursorsAreInvalidArguments) {
  for (const char* bad : {"x", "2.3.61", "1.0.61", "1.3.", "1.3.zz", "md:1.3.", "md:1.3.12a",
                          "md:1.-3.5", "md:1.3.99999999999999999999", "md1.3.5"}) {
    auto c = DecodeCursor(bad, ListOrder::kModified, true);
    if (std::string_view(bad).starts_with("md:") || std::string_view(bad) == "md1.3.5") {
      EXPECT_EQ(c.status().code(), Code::kInvalidArgument) << bad;
    }
    EXPECT_EQ(DecodeCursor(bad).status().code(), Code::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace coffer::service
