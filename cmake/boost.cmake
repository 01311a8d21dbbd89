# Boost.Asio and Boost.Beast from Debian's libboost-dev (1.74): header-only, the HTTP server of
# common/metrics (decision 0011); Boost.Container's flat_map, the aggregator's syscalls.
find_package(Boost 1.74 REQUIRED)
find_package(Threads REQUIRED)
add_library(tailor_boost INTERFACE)
target_link_libraries(tailor_boost INTERFACE Boost::headers Threads::Threads)
# The current Asio interface only.
target_compile_definitions(tailor_boost INTERFACE BOOST_ASIO_NO_DEPRECATED)
add_library(tailor::boost ALIAS tailor_boost)
