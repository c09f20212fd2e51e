# casecall_embed_files(<target> FUNCTION <qualified name> FILES <file>...)
# Compiles the files' text into <target> as a function returning their names (without the
# directory) and contents:
#   const std::vector<std::pair<std::string_view, std::string_view>>& <name>();
set(CASECALL_EMBED_FILES_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_files_script.cmake)

function(casecall_embed_files target)
  cmake_parse_arguments(ARG "" "FUNCTION" "FILES" ${ARGN})
  string(MAKE_C_IDENTIFIER "${ARG_FUNCTION}" stem)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${stem}_embedded.cpp)
  string(REPLACE ";" "|" joined "${ARG_FILES}")
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DFUNCTION=${ARG_FUNCTION} -DOUTPUT=${out} -DFILES=${joined}
            -P ${CASECALL_EMBED_FILES_SCRIPT}
    DEPENDS ${ARG_FILES} ${CASECALL_EMBED_FILES_SCRIPT}
    COMMENT "Embedding files for ${ARG_FUNCTION}"
    VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()
