# npm_tool(TARGET DIR COMMENT SOURCES...): a node tool for the tests, installed with `npm ci`
# into DIR in the build tree from its package.json, package-lock.json and scripts (SOURCES),
# again whenever one of them changes. Needs npm (TAILOR_NPM).
find_program(TAILOR_NPM npm)
function(npm_tool target dir comment)
  add_custom_command(OUTPUT ${dir}/node_modules/.package-lock.json
    COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
    COMMAND ${CMAKE_COMMAND} -E copy ${ARGN} ${dir}
    COMMAND ${TAILOR_NPM} ci --no-audit --no-fund --prefix ${dir}
    DEPENDS ${ARGN}
    COMMENT "${comment}")
  add_custom_target(${target} ALL DEPENDS ${dir}/node_modules/.package-lock.json)
endfunction()
