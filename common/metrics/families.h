#pragma once

#include <string>

#include "common/metrics/prometheus_fwd.h"

namespace tailor::common {

// Every counter and gauge of Tailor's is registered one way: a family of `name` explained by
// `help`.
prometheus::Family<prometheus::Counter>& counter_family(prometheus::Registry& registry,
                                                        const std::string& name,
                                                        const std::string& help);
prometheus::Family<prometheus::Gauge>& gauge_family(prometheus::Registry& registry,
                                                    const std::string& name,
                                                    const std::string& help);
// The one series of an unlabelled family.
prometheus::Counter& counter(prometheus::Registry& registry, const std::string& name,
                             const std::string& help);
prometheus::Gauge& gauge(prometheus::Registry& registry, const std::string& name,
                         const std::string& help);

}  // namespace tailor::common
