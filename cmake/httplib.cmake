# Debian ships cpp-httplib as a compiled library built with OpenSSL; the pkg-config
# flags turn on the matching TLS code in the header.
find_package(PkgConfig REQUIRED)
find_package(OpenSSL REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib>=0.11)
add_library(tailor_httplib INTERFACE)
target_link_libraries(tailor_httplib INTERFACE PkgConfig::HTTPLIB OpenSSL::SSL OpenSSL::Crypto)
add_library(tailor::httplib ALIAS tailor_httplib)
