# Writes OUTPUT (a C++ fragment: the git revision as a string literal) when it changes, so the
# binary's --version and cppapp_build_info name the commit they were built from without a
# rebuild on every build. REVISION, when given (the Docker build has no .git), wins.
if(NOT REVISION)
  execute_process(COMMAND git -C "${SOURCE_DIR}" rev-parse --short=12 HEAD
                  OUTPUT_VARIABLE REVISION OUTPUT_STRIP_TRAILING_WHITESPACE
                  ERROR_QUIET RESULT_VARIABLE failed)
  if(failed OR NOT REVISION)
    set(REVISION "unknown")
  else()
    execute_process(COMMAND git -C "${SOURCE_DIR}" status --porcelain --untracked-files=no
                    OUTPUT_VARIABLE changes ERROR_QUIET)
    if(changes)
      string(APPEND REVISION "-modified")
    endif()
  endif()
endif()
set(content "\"${REVISION}\"\n")
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
endif()
if(NOT old STREQUAL content)
  file(WRITE "${OUTPUT}" "${content}")
endif()
