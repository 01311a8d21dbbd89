# libFuzzer targets (tests/fuzz, -DTAILOR_FUZZ=ON): clang only, in a build directory of their
# own, since the libraries they link are instrumented for the fuzzer and the sanitizers.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "TAILOR_FUZZ needs clang: configure a separate build directory with "
                      "CC=clang CXX=clang++ (scripts/fuzz.sh does)")
endif()

# Sanitizer reports abort, so the fuzzer counts them as crashes instead of printing and going on.
set(TAILOR_FUZZ_SANITIZERS -fsanitize=address,undefined -fno-sanitize-recover=all)

# Instruments the libraries the targets call into: coverage for the fuzzer, and the sanitizers.
# Whatever links them links the sanitizer runtimes too, so the rest of the tree still links.
function(tailor_fuzz_instrument)
  foreach(library IN LISTS ARGN)
    target_compile_options(${library} PRIVATE ${TAILOR_FUZZ_SANITIZERS}
                           -fsanitize=fuzzer-no-link -fno-omit-frame-pointer)
    target_link_options(${library} INTERFACE ${TAILOR_FUZZ_SANITIZERS})
  endforeach()
endfunction()

# tailor_fuzz_target(NAME SOURCES... LIBRARIES...): tailor_fuzz_NAME from NAME.cpp.
function(tailor_fuzz_target name)
  cmake_parse_arguments(PARSE_ARGV 1 fuzz "" "" "SOURCES;LIBRARIES")
  add_executable(tailor_fuzz_${name} ${name}.cpp ${fuzz_SOURCES})
  target_compile_options(tailor_fuzz_${name} PRIVATE ${TAILOR_FUZZ_SANITIZERS} -fsanitize=fuzzer
                         -fno-omit-frame-pointer)
  target_link_options(tailor_fuzz_${name} PRIVATE ${TAILOR_FUZZ_SANITIZERS} -fsanitize=fuzzer)
  target_link_libraries(tailor_fuzz_${name} PRIVATE ${fuzz_LIBRARIES})
  set_property(GLOBAL APPEND PROPERTY TAILOR_FUZZ_TARGETS tailor_fuzz_${name})
endfunction()
