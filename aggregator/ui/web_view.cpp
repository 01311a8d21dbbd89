#include "aggregator/ui/web_view.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

#include "aggregator/ui/workload_page.h"
#include "aggregator/ui/workloads_page.h"
#include "common/html/page.h"
#include "common/util/clock.h"

namespace tailor::aggregator {
namespace {

constexpr const char* kHtml = "text/html; charset=utf-8";
constexpr std::string_view kWorkloadsPath = "/ui/workloads";

// /ui/workloads/NS/KIND/NAME/CONTAINER: the key, or nothing for any other path under it.
std::optional<common::WorkloadKey> workload_key_of(std::string_view path) {
  path.remove_prefix(kWorkloadsPath.size());
  std::vector<std::string> parts;
  while (!path.empty() && path.front() == '/') {
    path.remove_prefix(1);
    const auto end = std::min(path.find('/'), path.size());
    if (end == 0) return std::nullopt;
    parts.emplace_back(path.substr(0, end));
    path.remove_prefix(end);
  }
  if (!path.empty() || parts.size() != 4) return std::nullopt;
  return common::WorkloadKey{parts[0], parts[1], parts[2], parts[3]};
}

}  // namespace

WebView::WebView(const MergeStore& store, WallClock wall_clock)
    : store_(store),
      wall_clock_(wall_clock ? std::move(wall_clock) : WallClock(common::unix_now_ms)) {}

void WebView::register_routes(common::HttpEndpoint& endpoint) const {
  endpoint.get("/ui", [this](const common::HttpRequest&, common::HttpResponse& response) {
    response.set_content(render_workloads_page(store_, wall_clock_()), kHtml);
  });
  endpoint.get_prefix(std::string(kWorkloadsPath), [this](const common::HttpRequest& request,
                                                          common::HttpResponse& response) {
    const auto key = workload_key_of(request.path);
    const auto tracked = key ? store_.get(*key) : std::nullopt;
    if (!tracked) {
      response.status = 404;
      const std::string what =
          key ? "no workload container " + common::html::escape(common::describe(*key))
              : "no such page";
      response.set_content(
          common::html::page("tailor-aggregator: not found",
                             "<p>This aggregator holds " + what +
                                 ". <a href=\"/ui\">All workload containers</a></p>"),
          kHtml);
      return;
    }
    response.set_content(render_workload_page(*key, *tracked, wall_clock_()), kHtml);
  });
}

void WebView::refuse_routes(common::HttpEndpoint& endpoint, int ui_port) {
  const std::string message =
      ui_port > 0 ? "the web view is served on 127.0.0.1:" + std::to_string(ui_port) +
                        " only: reach it with kubectl port-forward (e.g. kubectl -n tailor "
                        "port-forward deploy/tailor-aggregator " +
                        std::to_string(ui_port) +
                        "), then open http://127.0.0.1:" + std::to_string(ui_port) + "/ui"
                  : "the web view is off (tailor-aggregator --ui-listen)";
  endpoint.get_prefix("/ui", [message](const common::HttpRequest&, common::HttpResponse& response) {
    response.status = 403;
    response.set_content(message + "\n", "text/plain; charset=utf-8");
  });
}

}  // namespace tailor::aggregator
