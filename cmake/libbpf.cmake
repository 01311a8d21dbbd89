find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBBPF REQUIRED IMPORTED_TARGET libbpf>=1.0)
add_library(tailor::libbpf ALIAS PkgConfig::LIBBPF)
