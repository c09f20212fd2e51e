# Sanitizers as an INTERFACE target: CASECALL_SANITIZE="address;undefined" or "thread".
add_library(casecall_sanitizers INTERFACE)
if(CASECALL_SANITIZE)
  list(JOIN CASECALL_SANITIZE "," _casecall_sanitize_list)
  target_compile_options(casecall_sanitizers INTERFACE
    -fsanitize=${_casecall_sanitize_list} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(casecall_sanitizers INTERFACE -fsanitize=${_casecall_sanitize_list})
  # The instrumentation makes g++ 12 see "maybe uninitialized" members inside libstdc++
  # (std::function in <regex>, for one) that are not; the plain build keeps the warning.
  target_compile_options(casecall_sanitizers INTERFACE -Wno-maybe-uninitialized)
endif()
