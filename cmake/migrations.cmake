# casecall_embed_migrations(<target> SCHEMA <schema> DIRECTORY <dir> FUNCTION <qualified name>)
# Compiles <dir>/NNNN_*.sql into <target> as a function returning a db::migration_set, so a
# binary always carries the schema history it was built with.
set(CASECALL_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_migrations.cmake)

function(casecall_embed_migrations target)
  cmake_parse_arguments(ARG "" "SCHEMA;DIRECTORY;FUNCTION" "" ${ARGN})
  file(GLOB files CONFIGURE_DEPENDS ${ARG_DIRECTORY}/*.sql)
  list(SORT files)
  string(REPLACE ";" "|" joined "${files}")
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${ARG_SCHEMA}_migrations.cpp)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DSCHEMA=${ARG_SCHEMA} -DFUNCTION=${ARG_FUNCTION} -DOUTPUT=${out}
            -DFILES=${joined} -P ${CASECALL_EMBED_SCRIPT}
    DEPENDS ${files} ${CASECALL_EMBED_SCRIPT}
    COMMENT "Embedding ${ARG_SCHEMA} migrations"
    VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()
