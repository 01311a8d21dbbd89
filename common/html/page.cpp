#include "common/html/page.h"

#include <cstdio>

namespace tailor::common::html {
namespace {

// The page fetches nothing: the policy forbids every source but its own inline parts, so even
// markup that slipped through escaping could not reach the network.
constexpr const char* kHead = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
)";

constexpr const char* kStyle = R"(<style>
body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:16px;color:#222}
h1{font-size:20px;word-break:break-all}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ddd}
dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px}dt{color:#666}dd{margin:0;word-break:break-all}
.warning{background:#fff3cd;border:1px solid #e0b300;padding:8px 12px;border-radius:4px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eee;vertical-align:top}
td.num,th.num{text-align:right}table.sortable th{cursor:pointer;user-select:none;background:#f6f6f6}
th[aria-sort=ascending]::after{content:" \25B2"}th[aria-sort=descending]::after{content:" \25BC"}
tr.sensitive td{background:#fde8e8}.why{color:#a11;font-size:12px}.note{color:#555;font-size:12px}
.filters{display:flex;gap:12px;margin:8px 0;flex-wrap:wrap}
svg{width:100%;max-width:640px;height:auto;display:block}svg text{font-size:11px;fill:#444}
svg.spark{width:120px;height:24px}.spark .line{fill:none;stroke:#1565c0;stroke-width:1.5}
.axis line{stroke:#e5e5e5}.plot .line{fill:none;stroke:#1565c0;stroke-width:2}
.bars rect{fill:#1565c0}.bars rect.hot{fill:#c62828}
ul.tree{list-style:none;padding-left:16px}.values{font-family:monospace;font-size:12px;word-break:break-all}
</style>
)";

// Sorting by a header, and each filter box's drop-downs and search over its table.
constexpr const char* kScript = R"(<script>
(() => {
  for (const table of document.querySelectorAll('table.sortable')) {
    const body = table.tBodies[0];
    table.tHead.addEventListener('click', (event) => {
      const th = event.target.closest('th');
      if (!th) return;
      const numeric = th.classList.contains('num'), i = th.cellIndex;
      const dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
      for (const h of th.parentNode.cells) h.removeAttribute('aria-sort');
      th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
      const key = (row) => numeric ? Number(row.cells[i].dataset.v) : row.cells[i].dataset.v;
      const rows = [...body.rows].sort((a, b) => {
        const x = key(a), y = key(b);
        return dir * (numeric ? x - y : x < y ? -1 : x > y ? 1 : 0);
      });
      body.append(...rows);
    });
  }
  for (const box of document.querySelectorAll('.filters[data-table]')) {
    const body = document.getElementById(box.dataset.table).tBodies[0];
    const selects = [...box.querySelectorAll('select[data-key]')];
    const text = box.querySelector('input[type=search]'), shown = box.querySelector('.shown');
    const apply = () => {
      const t = text.value.trim().toLowerCase();
      let n = 0;
      for (const row of body.rows) {
        const keep = selects.every((s) => !s.value || row.dataset[s.dataset.key] === s.value) &&
                     (!t || row.textContent.toLowerCase().includes(t));
        row.hidden = !keep;
        if (keep) n++;
      }
      shown.textContent = n;
    };
    for (const select of selects) select.addEventListener('change', apply);
    text.addEventListener('input', apply);
    apply();
  }
})();
</script>
)";

std::string options(const std::vector<std::string>& values) {
  std::string out = "<option value=\"\">all</option>";
  for (const auto& value : values) {
    out += "<option value=\"" + escape(value) + "\">" + escape(value) + "</option>";
  }
  return out;
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string page(std::string_view title, std::string_view body) {
  const std::string escaped = escape(title);
  std::string out = kHead;
  out += "<title>" + escaped + "</title>\n";
  out += kStyle;
  out += "</head><body><h1>" + escaped + "</h1>\n";
  out += body;
  out += kScript;
  out += "</body></html>\n";
  return out;
}

std::string filter_box(std::string_view table_id, const std::vector<Select>& selects,
                       std::string_view search_id, std::string_view shown_id, std::size_t rows) {
  std::string out = "<div class=\"filters\" data-table=\"" + escape(table_id) + "\">";
  for (const auto& select : selects) {
    out += "<label>" + escape(select.label) + " <select id=\"" + escape(select.id) +
           "\" data-key=\"" + escape(select.key) + "\">" + options(select.values) +
           "</select></label>";
  }
  const std::string total = std::to_string(rows);
  return out + "<label>Search <input id=\"" + escape(search_id) +
         "\" type=\"search\"></label><span><span class=\"shown\" id=\"" + escape(shown_id) + "\">" +
         total + "</span> of " + total + " shown</span></div>";
}

std::string cell(std::string_view text) {
  const std::string escaped = escape(text);
  return "<td data-v=\"" + escaped + "\">" + escaped + "</td>";
}

std::string markup_cell(std::string_view key, std::string_view markup) {
  return "<td data-v=\"" + escape(key) + "\">" + std::string(markup) + "</td>";
}

std::string number_cell(uint64_t value) { return number_cell(value, std::to_string(value)); }

std::string number_cell(uint64_t key, std::string_view shown) {
  return "<td class=\"num\" data-v=\"" + std::to_string(key) + "\">" + escape(shown) + "</td>";
}

std::string seconds(uint64_t ns) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", static_cast<double>(ns) / 1e9);
  return text;
}

}  // namespace tailor::common::html
