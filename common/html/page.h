#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tailor::common::html {

// Text for HTML or SVG content and attribute values: everything a report holds (names, comm,
// command lines) is untrusted and must not become markup.
std::string escape(std::string_view text);

// One self-contained page: inline style and script, a Content-Security-Policy that forbids
// fetching anything, `title` as its title and heading, `body` after the heading. Every
// `table.sortable` on it sorts by a click on a header (by each cell's data-v, numerically
// under a header of class "num"), and every filter box (filter_box) filters its table.
std::string page(std::string_view title, std::string_view body);

// A drop-down of a filter box: rows whose data-`key` attribute is the chosen value are shown.
struct Select {
  std::string label;
  std::string id;
  std::string key;
  std::vector<std::string> values;
};

// The controls over the table `table_id` with `rows` rows: the drop-downs, a search box
// (`search_id`) matching any text of a row, and "N of rows shown" with N in `shown_id`.
std::string filter_box(std::string_view table_id, const std::vector<Select>& selects,
                       std::string_view search_id, std::string_view shown_id, std::size_t rows);

// Table cells that sort by their data-v: text (escaped here), markup that sorts by `key`
// (escaped here; `markup` is taken as it is), and a number, shown as itself or as `shown`.
std::string cell(std::string_view text);
std::string markup_cell(std::string_view key, std::string_view markup);
std::string number_cell(uint64_t value);
std::string number_cell(uint64_t key, std::string_view shown);

// Seconds with milliseconds: "1.250".
std::string seconds(uint64_t ns);

}  // namespace tailor::common::html
