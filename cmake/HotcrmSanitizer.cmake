# ASan + UBSan build (-DHOTCRM_SANITIZE=ON): compile and link flags for every target, and the
# run-time environment every registered test gets, so that `ctest` in a sanitized build just works.
#
#   HOTCRM_SANITIZER_ENV         ASAN_OPTIONS / UBSAN_OPTIONS for the C++ tests: leaks checked, any
#                                report aborts the test with a stack trace.
#   HOTCRM_SANITIZER_PYTHON_ENV  for a test running Debian's /usr/bin/python3 (not instrumented) on
#                                the sanitized hotcrm._core: the ASan runtime preloaded (it must be the
#                                first library of the process), and libstdc++ with it: python3 does not
#                                link libstdc++, so without it ASan finds no __cxa_throw to intercept at
#                                start-up and aborts ("CHECK failed ... real___cxa_throw") at the first
#                                C++ exception. No leak check, since CPython does not free everything it
#                                allocated at exit and those are not our leaks.
#   hotcrm_apply_sanitizer_env() appends HOTCRM_SANITIZER_ENV to every test of the calling directory
#                                that does not set ASAN_OPTIONS itself (call it after the add_test calls).
if(NOT HOTCRM_SANITIZE)
  set(HOTCRM_SANITIZER_ENV "")
  set(HOTCRM_SANITIZER_PYTHON_ENV "")
  function(hotcrm_apply_sanitizer_env)
  endfunction()
  return()
endif()

set(HOTCRM_SANITIZE_LIBRARY_OPTIMIZATION -O1 CACHE STRING "Optimisation of libhotcrm itself in a sanitized build")
add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
add_link_options(-fsanitize=address,undefined)

set(HOTCRM_SANITIZER_UBSAN_OPTIONS "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
set(HOTCRM_SANITIZER_ENV
  "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1"
  "${HOTCRM_SANITIZER_UBSAN_OPTIONS}")

set(HOTCRM_SANITIZER_PRELOAD "")
foreach(library libasan.so libstdc++.so)
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=${library}
                  OUTPUT_VARIABLE path OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT IS_ABSOLUTE "${path}" OR NOT EXISTS "${path}")
    message(WARNING "HOTCRM_SANITIZE: ${CMAKE_CXX_COMPILER} does not know ${library}; the Python tests will not load")
  endif()
  string(APPEND HOTCRM_SANITIZER_PRELOAD " ${path}")
endforeach()
string(STRIP "${HOTCRM_SANITIZER_PRELOAD}" HOTCRM_SANITIZER_PRELOAD)
set(HOTCRM_SANITIZER_PYTHON_ENV
  "LD_PRELOAD=${HOTCRM_SANITIZER_PRELOAD}"
  "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1"
  "${HOTCRM_SANITIZER_UBSAN_OPTIONS}")

function(hotcrm_apply_sanitizer_env)
  get_property(tests DIRECTORY PROPERTY TESTS)
  foreach(test IN LISTS tests)
    get_property(environment TEST ${test} PROPERTY ENVIRONMENT)
    if(NOT environment MATCHES "ASAN_OPTIONS=")
      set_property(TEST ${test} APPEND PROPERTY ENVIRONMENT ${HOTCRM_SANITIZER_ENV})
    endif()
  endforeach()
endfunction()
