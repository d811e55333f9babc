# Runs one compile-fail snippet (see tests/compile_fail/CMakeLists.txt for the conventions).
#   cmake -DSOURCE=<snippet.cpp> -DSTD=17|20 -DFLAGS_FILE=<picklejar_compile_flags.cmake>
#         -DWORK_DIR=<dir> [-DPCH_DIR=<dir>] -P check_compile_fail.cmake
# PCH_DIR: where precompile_header.cmake put a precompiled picklejar/picklejar.hpp (GCC).
# Prints a one-line summary ("picklejar compile_fail ...") with the line count and the first
# error line, so `ctest -L compile_fail -V` lists every diagnostic.
cmake_minimum_required(VERSION 3.16)
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/picklejar_direct_compile.cmake")

if(NOT SOURCE OR NOT EXISTS "${SOURCE}")
  message(FATAL_ERROR "picklejar: SOURCE not given or missing: '${SOURCE}'")
endif()
get_filename_component(name "${SOURCE}" NAME_WE)
set(tag "${name} [c++${STD}]")

# --- the snippet's header ---------------------------------------------------------------------
file(READ "${SOURCE}" text)
string(REPLACE "\r" "" text "${text}")
if(NOT text MATCHES "^//[ \t]*expect:[ \t]*([^\n]*)")
  message(FATAL_ERROR "${tag}: line 1 must be `// expect: <substring of the compiler output>`")
endif()
string(STRIP "${CMAKE_MATCH_1}" expected)
if(expected STREQUAL "")
  message(FATAL_ERROR "${tag}: the `// expect:` text on line 1 is empty")
endif()
set(max_lines 30)
if(text MATCHES "^[^\n]*\n//[ \t]*max-lines:[ \t]*([0-9]+)")
  set(max_lines ${CMAKE_MATCH_1})
endif()
if(NOT text MATCHES "PICKLEJAR_TRIGGER")
  message(FATAL_ERROR "${tag}: the offending code must be inside #ifdef PICKLEJAR_TRIGGER ... #endif")
endif()

picklejar_direct_compile_command(command)
if(PCH_DIR AND EXISTS "${PCH_DIR}/picklejar/picklejar.hpp.gch")
  # Searched before the library's own directory: GCC then loads the precompiled header.
  list(INSERT command 1 "-I${PCH_DIR}")
endif()
if(NOT WORK_DIR)
  set(WORK_DIR "${CMAKE_CURRENT_BINARY_DIR}")
endif()
file(MAKE_DIRECTORY "${WORK_DIR}")

# --- (a) control: without the trigger the snippet must compile cleanly ------------------------
execute_process(
  COMMAND ${command} "${SOURCE}"
  WORKING_DIRECTORY "${WORK_DIR}"
  RESULT_VARIABLE control_result
  OUTPUT_VARIABLE control_output
  ERROR_VARIABLE control_output)
if(NOT control_result EQUAL 0)
  message(FATAL_ERROR "${tag}: the control compile (without PICKLEJAR_TRIGGER) failed, so the "
    "snippet is broken apart from the code under test:\n${control_output}")
endif()

# --- (b) with the trigger it must fail ----------------------------------------------------------
execute_process(
  COMMAND ${command} -DPICKLEJAR_TRIGGER "${SOURCE}"
  WORKING_DIRECTORY "${WORK_DIR}"
  RESULT_VARIABLE result
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output)
string(REPLACE "\r" "" output "${output}")
file(WRITE "${WORK_DIR}/${name}.cxx${STD}.log" "${output}")

picklejar_count_lines(line_count "${output}")
set(first_error "(no line containing 'error:')")
if(output MATCHES "([^\n]*error:[^\n]*)")
  set(first_error "${CMAKE_MATCH_1}")
endif()
# Strip the directory from the first line so the summary stays readable.
get_filename_component(source_dir "${SOURCE}" DIRECTORY)
string(REPLACE "${source_dir}/" "" first_error "${first_error}")
message("picklejar compile_fail ${tag}: ${line_count} lines (max ${max_lines}); first error: ${first_error}")

if(result EQUAL 0)
  message(FATAL_ERROR "${tag}: compiled WITH PICKLEJAR_TRIGGER; it must fail to compile")
endif()

# --- (c) the expected text ----------------------------------------------------------------------
string(FIND "${output}" "${expected}" position)
if(position EQUAL -1)
  message(FATAL_ERROR "${tag}: the compiler output does not contain the expected text\n"
    "  expected: ${expected}\n--- compiler output ---\n${output}")
endif()

# --- (d) the diagnostic must stay short ---------------------------------------------------------
if(line_count GREATER max_lines)
  message(FATAL_ERROR "${tag}: ${line_count} lines of compiler output, more than the ${max_lines} "
    "allowed\n--- compiler output ---\n${output}")
endif()
