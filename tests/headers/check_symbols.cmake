# Checks which functions a translation unit compiled: JSON and XML are opt-in, so a program that
# includes neither header must hold no code of either codec or of the text document, and one that
# includes json.hpp the JSON codec but not the XML one.
#   cmake -DNM=... -DOBJECTS=a.o|b.o -DFORBIDDEN=<regex> [-DREQUIRED=<regex>] -P check_symbols.cmake
cmake_minimum_required(VERSION 3.16)
string(REPLACE "|" ";" objects "${OBJECTS}")
set(symbols "")
foreach(object IN LISTS objects)
  execute_process(COMMAND "${NM}" -C "${object}" RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE error)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${NM} ${object} failed: ${error}")
  endif()
  string(APPEND symbols "${output}")
endforeach()
if(symbols MATCHES "${FORBIDDEN}")
  string(REGEX MATCHALL "[^\n]*(${FORBIDDEN})[^\n]*" found "${symbols}")
  list(JOIN found "\n" found)
  message(FATAL_ERROR "compiled what it should not (${FORBIDDEN}):\n${found}")
endif()
if(REQUIRED AND NOT symbols MATCHES "${REQUIRED}")
  message(FATAL_ERROR "does not hold ${REQUIRED}: this test no longer sees the code it looks for")
endif()
