# Precompiles picklejar/picklejar.hpp for the compile-fail snippets (GCC only), so that each of
# their two compiles parses the library once instead of every time (about 3 times faster).
#   cmake -DSTD=17|20 -DFLAGS_FILE=<picklejar_compile_flags.cmake> -DPCH_DIR=<dir> -P precompile_header.cmake
# GCC looks for <dir>/picklejar/picklejar.hpp.gch before the header itself when <dir> comes first
# on the include path, and uses it only when it was made with compatible options; otherwise it
# reads the header as usual, so a snippet compiles the same with or without it. It is remade on
# every run (a fixture of the snippet tests): GCC does not notice a header changed since.
cmake_minimum_required(VERSION 3.16)
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/picklejar_direct_compile.cmake")

if(NOT PCH_DIR)
  message(FATAL_ERROR "picklejar: PCH_DIR not given")
endif()
picklejar_direct_compile_command(command)
list(REMOVE_ITEM command -fsyntax-only)
file(MAKE_DIRECTORY "${PCH_DIR}/picklejar")
# From a file that includes the header: made from the header itself, GCC warns "#pragma once in
# main file".
file(WRITE "${PCH_DIR}/precompiled.hpp" "#include <picklejar/picklejar.hpp>\n")
execute_process(
  COMMAND ${command} -x c++-header "${PCH_DIR}/precompiled.hpp" -o "${PCH_DIR}/picklejar/picklejar.hpp.gch"
  RESULT_VARIABLE result
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "picklejar: precompiling picklejar/picklejar.hpp failed:\n${output}")
endif()
message("picklejar compile_fail: precompiled picklejar/picklejar.hpp for c++${STD} in ${PCH_DIR}")
