# Warnings for our own code, as an INTERFACE target every target links.
add_library(casecall_warnings INTERFACE)
target_compile_options(casecall_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough
  -Wmisleading-indentation -Wduplicated-cond -Wduplicated-branches -Wlogical-op
  # g++ 12 reports false positives inside inlined Asio coroutine frames for these two
  # (operator new/delete of awaitable_frame, null checks in executor comparisons).
  -Wno-mismatched-new-delete)
if(CASECALL_WERROR)
  target_compile_options(casecall_warnings INTERFACE -Werror)
endif()
