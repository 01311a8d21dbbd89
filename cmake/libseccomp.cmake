find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBSECCOMP REQUIRED IMPORTED_TARGET libseccomp>=2.5)
add_library(tailor::libseccomp ALIAS PkgConfig::LIBSECCOMP)
