#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tailor::common::svg {

// A value that rises in steps: `y` from `x` on.
struct Step {
  double x = 0;
  uint64_t y = 0;
};

// A step line from (0, 0) through `steps` (sorted by x) to `x_end`, with labelled axes.
std::string step_plot(const std::vector<Step>& steps, double x_end, std::string_view x_unit,
                      std::string_view title);

// The same line, small and without axes, for a table cell.
std::string sparkline(const std::vector<Step>& steps, double x_end, std::string_view title);

struct Bar {
  std::string label;
  uint64_t value = 0;
  bool highlighted = false;
};

// Horizontal bars, one a line, with the label on the left and the value on the right.
std::string bar_chart(const std::vector<Bar>& bars, std::string_view title);

}  // namespace tailor::common::svg
