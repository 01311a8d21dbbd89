# -DTAILOR_SANITIZE=address,undefined (or thread) instruments everything built from here on:
# binaries, libraries and tests. The BPF object is compiled by clang for the kernel and is not.
# Build it in its own directory (scripts/sanitize.sh uses build-asan/ and build-tsan/).
set(TAILOR_SANITIZE "" CACHE STRING "comma list for -fsanitize= (address,undefined or thread)")

set(TAILOR_SANITIZER_FLAGS "")
# The sanitizer's options for every test and every binary it starts: one VAR=options entry
# (TAILOR_SANITIZER_TEST_ENV), also as test properties to append to a test's PROPERTIES. One
# variable only, as gtest_discover_tests flattens a list value of ENVIRONMENT into properties.
set(TAILOR_SANITIZER_TEST_ENV "")
set(TAILOR_SANITIZER_TEST_PROPERTIES "")

# tailor_unsanitized(TARGET...) builds these targets without instrumentation: the workloads the
# recorder tests watch (the sanitizer runtime's own syscalls would join the recorded ones, and
# the static workload cannot link a sanitizer runtime).
function(tailor_unsanitized)
  foreach(target ${ARGN})
    foreach(property COMPILE_OPTIONS LINK_OPTIONS)
      get_target_property(options ${target} ${property})
      if(options)
        list(REMOVE_ITEM options ${TAILOR_SANITIZER_FLAGS})
        set_target_properties(${target} PROPERTIES ${property} "${options}")
      endif()
    endforeach()
  endforeach()
endfunction()

if(TAILOR_SANITIZE STREQUAL "")
  return()
endif()

if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  message(FATAL_ERROR "TAILOR_SANITIZE is set up for GCC; this is ${CMAKE_CXX_COMPILER_ID}")
endif()
string(REPLACE "," ";" tailor_sanitizers "${TAILOR_SANITIZE}")
if("thread" IN_LIST tailor_sanitizers AND NOT tailor_sanitizers STREQUAL "thread")
  message(FATAL_ERROR "TAILOR_SANITIZE=thread cannot be combined with other sanitizers")
endif()

set(TAILOR_SANITIZER_FLAGS -fsanitize=${TAILOR_SANITIZE} -fno-omit-frame-pointer)
if("undefined" IN_LIST tailor_sanitizers)
  # UBSan prints and carries on by default; a finding must fail the test.
  list(APPEND TAILOR_SANITIZER_FLAGS -fno-sanitize-recover=undefined)
endif()
add_compile_options(${TAILOR_SANITIZER_FLAGS})
add_link_options(${TAILOR_SANITIZER_FLAGS})

# Every report is written to a file here (log_path, one per process), from the tests and from
# every instrumented program they start: a finding in an agent a test stops with a signal, or
# in a program whose stderr and exit status a test does not read, still fails
# scripts/sanitize.sh, which empties this directory before ctest and fails if anything is in it
# after. World-writable: tests run tailor as uid 65534 too.
set(TAILOR_SANITIZER_REPORT_DIR ${CMAKE_BINARY_DIR}/sanitizer-reports)
file(MAKE_DIRECTORY ${TAILOR_SANITIZER_REPORT_DIR})
file(CHMOD ${TAILOR_SANITIZER_REPORT_DIR} DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE
     OWNER_EXECUTE GROUP_READ GROUP_WRITE GROUP_EXECUTE WORLD_READ WORLD_WRITE WORLD_EXECUTE)
set(tailor_report_to "log_path=${TAILOR_SANITIZER_REPORT_DIR}/report")
if("address" IN_LIST tailor_sanitizers)
  # LeakSanitizer runs at every instrumented process's exit. abort_on_error: a finding kills
  # the process with SIGABRT, never mistaken for one of tailor's own exit codes (1, 2).
  set(TAILOR_SANITIZER_TEST_ENV "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:${tailor_report_to}")
elseif("thread" IN_LIST tailor_sanitizers)
  # A race fails the process with exit code 66 when it ends; every race is reported first.
  # The suppressions are for the uninstrumented Debian cpp-httplib only (the file says why).
  set(TAILOR_SANITIZER_TEST_ENV "TSAN_OPTIONS=exitcode=66:second_deadlock_stack=1:\
suppressions=${CMAKE_SOURCE_DIR}/cmake/tsan-suppressions.txt:${tailor_report_to}")
elseif("undefined" IN_LIST tailor_sanitizers)
  set(TAILOR_SANITIZER_TEST_ENV
      "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:${tailor_report_to}")
endif()
if("address" IN_LIST tailor_sanitizers AND "undefined" IN_LIST tailor_sanitizers)
  # With ASan, UBSan reads UBSAN_OPTIONS, not ASAN_OPTIONS: without it a finding printed to
  # stderr only and exited 1, one of tailor's own codes. TAILOR_SANITIZER_TEST_ENV holds one
  # variable only, so ctest sets this one in its own environment, which every test inherits.
  set(tailor_ubsan_env ${CMAKE_BINARY_DIR}/ubsan_environment.cmake)
  file(WRITE ${tailor_ubsan_env}
       "set(ENV{UBSAN_OPTIONS} \"print_stacktrace=1:abort_on_error=1:${tailor_report_to}\")\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${tailor_ubsan_env})
endif()
if(TAILOR_SANITIZER_TEST_ENV)
  set(TAILOR_SANITIZER_TEST_PROPERTIES ENVIRONMENT "${TAILOR_SANITIZER_TEST_ENV}")
endif()
