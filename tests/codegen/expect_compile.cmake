# Compiles SOURCE (syntax only) against the generated headers with every warning an error.
#   -DCOMPILER=... -DSOURCE=... -DINCLUDES=a|b -DEXPECTED_ERROR=<regex, empty: must compile>
string(REPLACE "|" ";" include_dirs "${INCLUDES}")
list(TRANSFORM include_dirs PREPEND -I)
# LC_ALL=C: plain ASCII quotes in the compiler's messages, whatever the caller's locale.
execute_process(
  COMMAND ${CMAKE_COMMAND} -E env LC_ALL=C ${COMPILER} -std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic -Wshadow -Werror ${include_dirs} ${SOURCE}
  RESULT_VARIABLE result ERROR_VARIABLE diagnostics OUTPUT_VARIABLE output)
if(EXPECTED_ERROR STREQUAL "")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${SOURCE} should compile cleanly but did not:\n${diagnostics}")
  endif()
elseif(result EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but the mistake in it should have been a compile error")
elseif(NOT diagnostics MATCHES "${EXPECTED_ERROR}")
  message(FATAL_ERROR "${SOURCE} failed to compile, but not with '${EXPECTED_ERROR}':\n${diagnostics}")
endif()
