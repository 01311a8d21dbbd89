# The build's git revision, captured at configure time: `git describe --always --dirty`, or
# "unknown" when the source has no .git (a release tarball) or git is missing.
find_package(Git QUIET)
set(TAILOR_GIT_REVISION unknown)
if(GIT_FOUND AND EXISTS ${CMAKE_SOURCE_DIR}/.git)
  execute_process(COMMAND ${GIT_EXECUTABLE} describe --always --dirty
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
    OUTPUT_VARIABLE described OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE described_status ERROR_QUIET)
  if(described_status EQUAL 0 AND described)
    set(TAILOR_GIT_REVISION ${described})
  endif()
endif()
