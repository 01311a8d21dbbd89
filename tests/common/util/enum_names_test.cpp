#include "common/util/enum_names.h"

#include <gtest/gtest.h>

namespace tailor::common {
namespace {

enum class Colour { red, green, blue };

constexpr EnumNames<Colour, 2> kColourNames = {{{Colour::red, "red"}, {Colour::green, "green"}}};

TEST(EnumNamesTest, MapsBothWays) {
  EXPECT_EQ(enum_name(kColourNames, Colour::green), "green");
  EXPECT_EQ(parse_enum(kColourNames, "red", "colour").value(), Colour::red);
}

TEST(EnumNamesTest, ValuesKeepTheNamesOrder) {
  constexpr auto values = enum_values(kColourNames);
  static_assert(values.size() == 2);
  EXPECT_EQ(values[0], Colour::red);
  EXPECT_EQ(values[1], Colour::green);
}

TEST(EnumNamesTest, UnknownTextListsTheNamesInOrder) {
  EXPECT_EQ(parse_enum(kColourNames, "Red", "colour").error().message,
            "unknown colour \"Red\"; valid: red, green");
}

TEST(EnumNamesTest, UnnamedValueIsAQuestionMark) {
  EXPECT_EQ(enum_name(kColourNames, Colour::blue), "?");
}

}  // namespace
}  // namespace tailor::common
