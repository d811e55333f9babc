# Compiles a translation unit that includes one picklejar header twice and nothing else.
#   cmake -DHEADER=picklejar/x.hpp -DSTD=17|20 -DFLAGS_FILE=... -DWORK_DIR=... -P check_header.cmake
cmake_minimum_required(VERSION 3.16)
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/picklejar_direct_compile.cmake")

if(NOT HEADER)
  message(FATAL_ERROR "picklejar: HEADER not given")
endif()
string(MAKE_C_IDENTIFIER "${HEADER}" stem)
set(source "${WORK_DIR}/${stem}.cxx${STD}.cpp")
file(WRITE "${source}" "#include <${HEADER}>\n#include <${HEADER}>\n")

picklejar_direct_compile_command(command)
execute_process(
  COMMAND ${command} "${source}"
  WORKING_DIRECTORY "${WORK_DIR}"
  RESULT_VARIABLE result
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "<${HEADER}> does not compile on its own as C++${STD}; "
    "include what it uses:\n${output}")
endif()
if(NOT output STREQUAL "")
  message("${output}")
endif()
