# Script mode (cmake -P): writes OUTPUT, a C++ file defining FUNCTION() from the .sql FILES.
string(REPLACE "|" ";" FILES "${FILES}")
string(REGEX MATCH "^(.*)::([^:]+)$" _ "${FUNCTION}")
set(namespace "${CMAKE_MATCH_1}")
set(name "${CMAKE_MATCH_2}")
set(entries "")
foreach(file IN LISTS FILES)
  get_filename_component(file_name "${file}" NAME)
  file(READ "${file}" sql)
  string(FIND "${sql}" ")casecall_sql\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${file_name} contains the raw-string delimiter )casecall_sql\"")
  endif()
  string(APPEND entries
    "      {casecall::db::version_of(\"${file_name}\"), \"${file_name}\", R\"casecall_sql(${sql})casecall_sql\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from migrations/*.sql by cmake/embed_migrations.cmake. Do not edit.
#include \"db/migrations.hpp\"

namespace ${namespace} {

const casecall::db::migration_set& ${name}() {
  static const casecall::db::migration_set set{
    \"${SCHEMA}\",
    {
${entries}    }};
  return set;
}

}  // namespace ${namespace}
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
