# The delta decoder's JSON parser (docs/decisions/0004-simdjson-for-deltas.md).
find_package(simdjson 3.0 REQUIRED)
