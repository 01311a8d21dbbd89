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

# tailor_unsanitized_copy(TARGET COPY) defines COPY, TARGET built again without instrumentation,
# with an uninstrumented copy (<library>_unsanitized) of each static library of this project in
# its link closure: a program confined by a seccomp profile recorded from a plain build (the
# sanitizer runtime's own calls are not in it) and still built in a sanitizer build directory.
function(tailor_unsanitized_copy target copy)
  get_target_property(type ${target} TYPE)
  get_target_property(source_dir ${target} SOURCE_DIR)
  get_target_property(sources ${target} SOURCES)
  set(absolute_sources)
  foreach(source ${sources})
    cmake_path(ABSOLUTE_PATH source BASE_DIRECTORY ${source_dir})
    get_source_file_property(generated ${source} DIRECTORY ${source_dir} GENERATED)
    if(generated)
      message(FATAL_ERROR "tailor_unsanitized_copy: ${target} has a generated source (${source})")
    endif()
    list(APPEND absolute_sources ${source})
  endforeach()
  if(type STREQUAL "EXECUTABLE")
    add_executable(${copy} ${absolute_sources})
  elseif(type STREQUAL "STATIC_LIBRARY")
    add_library(${copy} STATIC ${absolute_sources})
  else()
    message(FATAL_ERROR "tailor_unsanitized_copy: ${target} is a ${type}")
  endif()
  # Source file properties belong to the directory that set them (version.cpp's revision).
  foreach(source ${absolute_sources})
    foreach(property COMPILE_DEFINITIONS COMPILE_OPTIONS)
      get_source_file_property(value ${source} DIRECTORY ${source_dir} ${property})
      if(value)
        set_source_files_properties(${source} PROPERTIES ${property} "${value}")
      endif()
    endforeach()
  endforeach()
  foreach(property INCLUDE_DIRECTORIES COMPILE_DEFINITIONS COMPILE_FEATURES
                   INTERFACE_INCLUDE_DIRECTORIES INTERFACE_COMPILE_DEFINITIONS)
    get_target_property(value ${target} ${property})
    if(value)
      set_target_properties(${copy} PROPERTIES ${property} "${value}")
    endif()
  endforeach()
  # The copy starts from the target's own options, not the directory's, then loses the flags.
  foreach(property COMPILE_OPTIONS LINK_OPTIONS)
    get_target_property(value ${target} ${property})
    if(NOT value)
      set(value "")
    endif()
    set_target_properties(${copy} PROPERTIES ${property} "${value}")
  endforeach()
  tailor_unsanitized(${copy})
  # Libraries of this project are linked as their copies; imported and header-only ones as they
  # are, as they are not instrumented. A private dependency is $<LINK_ONLY:...> in the interface.
  foreach(property LINK_LIBRARIES INTERFACE_LINK_LIBRARIES)
    get_target_property(libraries ${target} ${property})
    if(NOT libraries)
      continue()
    endif()
    set(mapped)
    foreach(library ${libraries})
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" name "${library}")
      string(COMPARE NOTEQUAL "${name}" "${library}" link_only)
      if(TARGET ${name})
        get_target_property(aliased ${name} ALIASED_TARGET)
        if(aliased)
          set(name ${aliased})
        endif()
        get_target_property(library_type ${name} TYPE)
        get_target_property(imported ${name} IMPORTED)
        if(library_type STREQUAL "STATIC_LIBRARY" AND NOT imported)
          if(NOT TARGET ${name}_unsanitized)
            tailor_unsanitized_copy(${name} ${name}_unsanitized)
          endif()
          set(library ${name}_unsanitized)
          if(link_only)
            set(library "$<LINK_ONLY:${library}>")
          endif()
        endif()
      endif()
      list(APPEND mapped "${library}")
    endforeach()
    set_target_properties(${copy} PROPERTIES ${property} "${mapped}")
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
