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

if("address" IN_LIST tailor_sanitizers)
  # LeakSanitizer runs at every instrumented process's exit. abort_on_error: a finding kills
  # the process with SIGABRT, never mistaken for one of tailor's own exit codes (1, 2).
  set(TAILOR_SANITIZER_TEST_ENV "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1")
elseif("thread" IN_LIST tailor_sanitizers)
  # A race fails the process with exit code 66 when it ends; every race is reported first.
  set(TAILOR_SANITIZER_TEST_ENV "TSAN_OPTIONS=exitcode=66:second_deadlock_stack=1")
elseif("undefined" IN_LIST tailor_sanitizers)
  set(TAILOR_SANITIZER_TEST_ENV "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
endif()
if(TAILOR_SANITIZER_TEST_ENV)
  set(TAILOR_SANITIZER_TEST_PROPERTIES ENVIRONMENT "${TAILOR_SANITIZER_TEST_ENV}")
endif()
