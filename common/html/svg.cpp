#include "common/html/svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common/html/page.h"

namespace tailor::common::svg {
using html::escape;

namespace {

std::string printed(const char* format, double value) {
  char text[32];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

std::string number(double value) { return printed("%.1f", value); }

// A round step for about five axis ticks: 1, 2 or 5 times a power of ten.
double tick_step(double span) {
  const double power = std::pow(10.0, std::floor(std::log10(span)));
  const double ratio = span / power;
  return ratio > 5 ? power : ratio > 2 ? power / 2 : power / 5;
}

std::string text(double x, double y, std::string_view anchor, std::string_view content,
                 std::string_view extra = "") {
  return "<text x=\"" + number(x) + "\" y=\"" + number(y) + "\" text-anchor=\"" +
         std::string(anchor) + "\"" + std::string(extra) + ">" + escape(content) + "</text>";
}

// The step line's path: from (0, 0) through each step to x_end, in the box from (left, top)
// of width w and height h, with y scaled to y_max.
std::string step_path(const std::vector<Step>& steps, double x_end, uint64_t y_max, double left,
                      double top, double w, double h) {
  const auto px = [&](double x) { return left + x / x_end * w; };
  const auto py = [&](double y) { return top + h - y / static_cast<double>(y_max) * h; };
  std::string path = "M" + number(px(0)) + " " + number(py(0));
  for (const Step& step : steps) {
    path += "H" + number(px(step.x)) + "V" + number(py(static_cast<double>(step.y)));
  }
  return path + "H" + number(px(x_end));
}

}  // namespace

std::string step_plot(const std::vector<Step>& steps, double x_end, std::string_view x_unit,
                      std::string_view title) {
  constexpr double kWidth = 640, kHeight = 260, kLeft = 48, kRight = 16, kTop = 12, kBottom = 36;
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  const uint64_t y_max = steps.empty() ? 1 : std::max<uint64_t>(steps.back().y, 1);
  x_end = std::max(x_end, steps.empty() ? 0.0 : steps.back().x);
  if (x_end <= 0) x_end = 1;
  const auto px = [&](double x) { return kLeft + x / x_end * plot_w; };
  const auto py = [&](double y) { return kTop + plot_h - y / static_cast<double>(y_max) * plot_h; };

  std::string out = "<svg class=\"plot\" viewBox=\"0 0 " + number(kWidth) + " " + number(kHeight) +
                    "\" role=\"img\" aria-label=\"" + escape(title) + "\">";
  out += "<g class=\"axis\">";
  const double x_step = tick_step(x_end);
  for (double x = 0; x <= x_end + x_step / 1000; x += x_step) {
    out += "<line x1=\"" + number(px(x)) + "\" x2=\"" + number(px(x)) + "\" y1=\"" + number(kTop) +
           "\" y2=\"" + number(kTop + plot_h) + "\"/>";
    out += text(px(x), kHeight - kBottom + 16, "middle", printed("%g", x));
  }
  const double y_step = std::max(1.0, tick_step(static_cast<double>(y_max)));
  for (double y = 0; y <= static_cast<double>(y_max) + y_step / 1000; y += y_step) {
    out += "<line x1=\"" + number(kLeft) + "\" x2=\"" + number(kLeft + plot_w) + "\" y1=\"" +
           number(py(y)) + "\" y2=\"" + number(py(y)) + "\"/>";
    out += text(kLeft - 6, py(y) + 4, "end", printed("%g", y));
  }
  out += text(kLeft + plot_w / 2, kHeight - 4, "middle", x_unit);
  out += "</g>";

  return out + "<path class=\"line\" d=\"" +
         step_path(steps, x_end, y_max, kLeft, kTop, plot_w, plot_h) + "\"/></svg>";
}

std::string sparkline(const std::vector<Step>& steps, double x_end, std::string_view title) {
  constexpr double kWidth = 120, kHeight = 24, kPad = 2;
  const uint64_t y_max = steps.empty() ? 1 : std::max<uint64_t>(steps.back().y, 1);
  x_end = std::max(x_end, steps.empty() ? 0.0 : steps.back().x);
  if (x_end <= 0) x_end = 1;
  return "<svg class=\"spark\" viewBox=\"0 0 " + number(kWidth) + " " + number(kHeight) +
         "\" role=\"img\" aria-label=\"" + escape(title) + "\"><path class=\"line\" d=\"" +
         step_path(steps, x_end, y_max, kPad, kPad, kWidth - 2 * kPad, kHeight - 2 * kPad) +
         "\"/></svg>";
}

std::string bar_chart(const std::vector<Bar>& bars, std::string_view title) {
  constexpr double kWidth = 640, kRow = 24, kLabel = 150, kValue = 90;
  const double bar_w = kWidth - kLabel - kValue;
  uint64_t max = 1;
  for (const Bar& bar : bars) max = std::max(max, bar.value);
  const double height = std::max(1.0, kRow * static_cast<double>(bars.size()));
  std::string out = "<svg class=\"bars\" viewBox=\"0 0 " + number(kWidth) + " " + number(height) +
                    "\" role=\"img\" aria-label=\"" + escape(title) + "\">";
  double y = 0;
  for (const Bar& bar : bars) {
    const double w = static_cast<double>(bar.value) / static_cast<double>(max) * bar_w;
    out += text(kLabel - 8, y + 16, "end", bar.label);
    out += "<rect" + std::string(bar.highlighted ? " class=\"hot\"" : "") + " x=\"" +
           number(kLabel) + "\" y=\"" + number(y + 4) + "\" width=\"" + number(w) + "\" height=\"" +
           number(kRow - 8) + "\"/>";
    out += text(kLabel + w + 6, y + 16, "start", std::to_string(bar.value), " class=\"value\"");
    y += kRow;
  }
  return out + "</svg>";
}

}  // namespace tailor::common::svg
