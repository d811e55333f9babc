# One step of the package consumer tests (see tests/package/CMakeLists.txt).
#   cmake -DSTEP=install|find_package|pkg_config|add_subdirectory -DWORK_DIR=... -DPREFIX=...
#         -DPICKLEJAR_SOURCE_DIR=... -DPICKLEJAR_BUILD_DIR=... -DPICKLEJAR_VERSION=...
#         -DGENERATOR=... -DMAKE_PROGRAM=... -DCXX_COMPILER=... -DCONFIG=...
#         [-DEXPECTED_FILES=a|b|c] [-DINSPECT_TOOL=bin/picklejar-inspect]
#         [-DPKG_CONFIG=... -DPKG_CONFIG_DIR=...]
#         -P run_package_test.cmake
cmake_minimum_required(VERSION 3.16)

set(consumer_main "${CMAKE_CURRENT_LIST_DIR}/consumer/main.cpp")

function(run)  # run(<command...>): runs it, echoing it first; fails the test if it fails
  string(REPLACE ";" " " shown "${ARGN}")
  message("picklejar package ${STEP}: ${shown}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "picklejar package ${STEP}: failed (${result}): ${shown}")
  endif()
endfunction()

# Configure, build and run a consumer CMake project with the same generator and compiler.
function(build_and_run_consumer source_dir)
  set(build_dir "${WORK_DIR}/build")
  set(configure "${CMAKE_COMMAND}" -S "${source_dir}" -B "${build_dir}" -G "${GENERATOR}"
      "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" ${ARGN})
  if(MAKE_PROGRAM)
    list(APPEND configure "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
  endif()
  if(CONFIG)
    list(APPEND configure "-DCMAKE_BUILD_TYPE=${CONFIG}")
  endif()
  run(${configure})
  set(build "${CMAKE_COMMAND}" --build "${build_dir}" --parallel 2)
  if(CONFIG)
    list(APPEND build --config "${CONFIG}")
  endif()
  run(${build})
  # Single-config generators put app in the build dir, multi-config ones in <build>/<config>.
  set(app "${build_dir}/app")
  if(NOT EXISTS "${app}" AND NOT EXISTS "${app}.exe")
    set(app "${build_dir}/${CONFIG}/app")
  endif()
  run("${app}")
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

if(STEP STREQUAL "install")
  file(REMOVE_RECURSE "${PREFIX}")
  set(install "${CMAKE_COMMAND}" --install "${PICKLEJAR_BUILD_DIR}" --prefix "${PREFIX}")
  if(CONFIG)
    list(APPEND install --config "${CONFIG}")
  endif()
  run(${install})
  string(REPLACE "|" ";" expected_files "${EXPECTED_FILES}")
  foreach(required IN LISTS expected_files)
    if(NOT EXISTS "${PREFIX}/${required}")
      message(FATAL_ERROR "picklejar package install: ${required} was not installed")
    endif()
  endforeach()
  if(INSPECT_TOOL)  # the installed tool runs from the prefix
    run("${PREFIX}/${INSPECT_TOOL}" --help)
  endif()

elseif(STEP STREQUAL "find_package")
  build_and_run_consumer("${CMAKE_CURRENT_LIST_DIR}/consumer"
    "-DCMAKE_PREFIX_PATH=${PREFIX}"
    "-DPICKLEJAR_EXPECTED_PREFIX=${PREFIX}"
    "-DPICKLEJAR_EXPECTED_VERSION=${PICKLEJAR_VERSION}")

elseif(STEP STREQUAL "find_package_without_eigen")
  build_and_run_consumer("${CMAKE_CURRENT_LIST_DIR}/consumer_without_eigen"
    "-DCMAKE_PREFIX_PATH=${PREFIX}"
    "-DCMAKE_DISABLE_FIND_PACKAGE_Eigen3=ON")

elseif(STEP STREQUAL "pkg_config")
  set(ENV{PKG_CONFIG_PATH} "${PKG_CONFIG_DIR}")
  execute_process(COMMAND "${PKG_CONFIG}" --modversion picklejar
    RESULT_VARIABLE result OUTPUT_VARIABLE version ERROR_VARIABLE error
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT result EQUAL 0 OR NOT version STREQUAL PICKLEJAR_VERSION)
    message(FATAL_ERROR "picklejar package pkg_config: `pkg-config --modversion picklejar` gave "
      "'${version}' (expected ${PICKLEJAR_VERSION}): ${error}")
  endif()
  # picklejar.pc needs no Eigen; picklejar-eigen.pc adds it for picklejar/eigen.hpp.
  execute_process(COMMAND "${PKG_CONFIG}" --print-requires picklejar
    RESULT_VARIABLE result OUTPUT_VARIABLE requires ERROR_VARIABLE error)
  if(NOT result EQUAL 0 OR requires MATCHES "eigen")
    message(FATAL_ERROR "picklejar package pkg_config: picklejar.pc requires '${requires}' ${error}")
  endif()
  execute_process(COMMAND "${PKG_CONFIG}" --cflags --libs picklejar-eigen
    RESULT_VARIABLE result OUTPUT_VARIABLE flags ERROR_VARIABLE error
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "picklejar package pkg_config: pkg-config failed: ${error}")
  endif()
  message("picklejar package pkg_config: pkg-config --cflags --libs picklejar-eigen: ${flags}")
  if(NOT flags MATCHES "-I[^ ]*")
    message(FATAL_ERROR "picklejar package pkg_config: no -I in the flags")
  endif()
  separate_arguments(flags UNIX_COMMAND "${flags}")
  run("${CXX_COMPILER}" -std=c++17 "${consumer_main}" ${flags} -o "${WORK_DIR}/app")
  run("${WORK_DIR}/app")

elseif(STEP STREQUAL "add_subdirectory")
  build_and_run_consumer("${CMAKE_CURRENT_LIST_DIR}/subdir_consumer"
    "-DPICKLEJAR_SOURCE_DIR=${PICKLEJAR_SOURCE_DIR}")

else()
  message(FATAL_ERROR "picklejar package: unknown STEP '${STEP}'")
endif()
