#include "aggregator/ui/web_view.h"

#include "aggregator/ui/workload_page.h"
#include "aggregator/ui/workloads_page.h"
#include "common/html/page.h"
#include "common/util/clock.h"

namespace tailor::aggregator {
namespace {

constexpr const char* kHtml = "text/html; charset=utf-8";

}  // namespace

WebView::WebView(const MergeStore& store, WallClock wall_clock)
    : store_(store),
      wall_clock_(wall_clock ? std::move(wall_clock) : WallClock(common::unix_now_ms)) {}

void WebView::register_routes(httplib::Server& server) const {
  server.Get("/ui", [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(render_workloads_page(store_, wall_clock_()), kHtml);
  });
  server.Get(R"(/ui/workloads/([^/]+)/([^/]+)/([^/]+)/([^/]+))",
             [this](const httplib::Request& request, httplib::Response& response) {
               const common::WorkloadKey key{request.matches[1], request.matches[2],
                                             request.matches[3], request.matches[4]};
               const auto tracked = store_.get(key);
               if (!tracked) {
                 response.status = 404;
                 response.set_content(
                     common::html::page("tailor-aggregator: not found",
                                        "<p>This aggregator holds no workload container " +
                                            common::html::escape(common::describe(key)) +
                                            ". <a href=\"/ui\">All workload containers</a></p>"),
                     kHtml);
                 return;
               }
               response.set_content(render_workload_page(key, *tracked, wall_clock_()), kHtml);
             });
}

void WebView::refuse_routes(httplib::Server& server, int ui_port) {
  const std::string message =
      ui_port > 0 ? "the web view is served on 127.0.0.1:" + std::to_string(ui_port) +
                        " only: reach it with kubectl port-forward (e.g. kubectl -n tailor "
                        "port-forward deploy/tailor-aggregator " +
                        std::to_string(ui_port) +
                        "), then open http://127.0.0.1:" + std::to_string(ui_port) + "/ui"
                  : "the web view is off (tailor-aggregator --ui-listen)";
  server.Get(R"(/ui(/.*)?)", [message](const httplib::Request&, httplib::Response& response) {
    response.status = 403;
    response.set_content(message + "\n", "text/plain; charset=utf-8");
  });
}

}  // namespace tailor::aggregator
