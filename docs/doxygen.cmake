# The optional `docs` target: the API reference, built by Doxygen from the `///` comments of the
# public headers (include/picklejar/*.hpp) with README.md as the main page. Never part of ALL:
#   cmake --build <build dir> --target docs    ->  <build dir>/doxygen/html/index.html
# Included from the top-level CMakeLists.txt; does nothing when picklejar is someone else's
# subproject. Without Doxygen the target only says how to get it.
if(NOT PICKLEJAR_IS_TOP_LEVEL OR TARGET docs)
  return()
endif()

find_package(Doxygen QUIET)
if(DOXYGEN_FOUND)
  set(PICKLEJAR_DOXYGEN_OUTPUT_DIR "${PROJECT_BINARY_DIR}/doxygen")
  configure_file("${CMAKE_CURRENT_LIST_DIR}/Doxyfile.in" "${PICKLEJAR_DOXYGEN_OUTPUT_DIR}/Doxyfile" @ONLY)
  add_custom_target(docs
    COMMAND Doxygen::doxygen "${PICKLEJAR_DOXYGEN_OUTPUT_DIR}/Doxyfile"
    WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
    COMMENT "Doxygen: API reference in ${PICKLEJAR_DOXYGEN_OUTPUT_DIR}/html/index.html"
    VERBATIM)
else()
  add_custom_target(docs
    COMMAND "${CMAKE_COMMAND}" -E echo
            "picklejar: the docs target needs Doxygen, which was not found; install the Debian package doxygen (apt-get install doxygen) and configure again"
    VERBATIM)
endif()
