# Runs the cross-compiler test (see CMakeLists.txt here). Expects FLAGS_FILE, TESTS_DIR, WORK_DIR
# and OTHER_CXX (empty or "...-NOTFOUND" when the other compiler is missing).
cmake_minimum_required(VERSION 3.16)
set(STD 17)
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/picklejar_direct_compile.cmake")

picklejar_direct_compile_command(base_command)
list(REMOVE_ITEM base_command -fsyntax-only "-std=c++17")
list(REMOVE_AT base_command 0)  # the compiler: each build names its own

# Builds the program with <compiler> as C++<std> into WORK_DIR/<name>.
function(cross_build name compiler std)
  set(program "${WORK_DIR}/cross_main_${name}")
  execute_process(
    COMMAND "${compiler}" "-std=c++${std}" -O0 ${base_command} "-I${TESTS_DIR}"
            "${TESTS_DIR}/cross/cross_main.cpp" -o "${program}" -pthread
    RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "picklejar cross: building ${name} (${compiler}, C++${std}) failed:\n${output}")
  endif()
  message(STATUS "picklejar cross: built ${name} with ${compiler} -std=c++${std}")
endfunction()

# Runs a built program; fails the test with its output when it fails.
function(cross_run name)
  execute_process(COMMAND "${WORK_DIR}/cross_main_${name}" ${ARGN}
    RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  message("${name} ${ARGV1}:\n${output}")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "picklejar cross: ${name} could not ${ARGV1} what the builds wrote (above)")
  endif()
endfunction()

set(files "${WORK_DIR}/files")
file(REMOVE_RECURSE "${files}")
file(MAKE_DIRECTORY "${files}")

# Two builds keep the cost at two compiles (about 55 s on one core): this compiler as C++17 and the
# other as C++20, so each direction crosses both the compiler and the standard. (The unit tests
# check the names themselves under both standards and both compilers.) Without the other
# compiler, this one as C++20 stands in for it.
set(builds this17)
cross_build(this17 "${PICKLEJAR_CXX_COMPILER}" 17)
set(other_found FALSE)
if(OTHER_CXX AND EXISTS "${OTHER_CXX}")
  set(other_found TRUE)
  cross_build(other20 "${OTHER_CXX}" 20)
  list(APPEND builds other20)
else()
  cross_build(this20 "${PICKLEJAR_CXX_COMPILER}" 20)
  list(APPEND builds this20)
endif()

foreach(build IN LISTS builds)
  cross_run(${build} write "${files}" ${build})
endforeach()
foreach(build IN LISTS builds)
  cross_run(${build} read "${files}" ${builds})
endforeach()

if(NOT other_found)
  message("picklejar cross: SKIPPED: the second compiler (clang++-14 for a GCC build, g++ for a "
          "Clang build) is not installed, so only C++17 against C++20 with ${PICKLEJAR_CXX_COMPILER} "
          "was checked; install it (apt-get install clang-14) and reconfigure")
else()
  message("picklejar cross: ${PICKLEJAR_CXX_COMPILER} (C++17) and ${OTHER_CXX} (C++20): each loaded "
          "every file either wrote")
endif()
