#pragma once

// prometheus-cpp has no header of forward declarations: headers that only hold references to
// its types include this one instead of the library's, which pull in much of it.
namespace prometheus {
class Counter;
class Gauge;
class Histogram;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus
