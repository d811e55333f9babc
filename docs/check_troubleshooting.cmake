# cmake -DGUIDE=docs/guide.md -DCOMPILE_FAIL_DIR=tests/compile_fail -DERROR_HEADER=include/picklejar/error.hpp -P
# The troubleshooting table of the guide must cover every compile-time diagnostic that a
# tests/compile_fail snippet expects (its "// expect:" line, with the member name written NAME),
# every static_assert message in the headers, and every errc enumerator (a row starting
# **`name`**). Fails listing what is missing.
# Member names are written NAME in the table: normalize both sides.
function(normalize_member_names var)
  string(REGEX REPLACE "member '[A-Za-z0-9_]+'" "member 'NAME'" text "${${var}}")
  string(REGEX REPLACE "PICKLEJAR_TRANSIENT\\([A-Za-z0-9_]+\\)" "PICKLEJAR_TRANSIENT(NAME)" text "${text}")
  set(${var} "${text}" PARENT_SCOPE)
endfunction()

file(READ "${GUIDE}" guide)
normalize_member_names(guide)
set(missing "")

file(GLOB snippets "${COMPILE_FAIL_DIR}/*.cpp")
list(LENGTH snippets snippet_count)
if(snippet_count EQUAL 0)
  message(FATAL_ERROR "no compile-fail snippets in ${COMPILE_FAIL_DIR}")
endif()
foreach(snippet IN LISTS snippets)
  file(READ "${snippet}" head LIMIT 4000)  # read, not file(STRINGS): that would escape the ';'
  if(NOT head MATCHES "^// expect: ([^\n]*)")
    message(FATAL_ERROR "${snippet}: line 1 is not '// expect: ...'")
  endif()
  set(expected "${CMAKE_MATCH_1}")
  normalize_member_names(expected)
  string(FIND "${guide}" "${expected}" found)
  if(found EQUAL -1)
    get_filename_component(name "${snippet}" NAME)
    string(APPEND missing "\n  diagnostic (${name}): ${expected}")
  endif()
endforeach()

# Every static_assert message of the library (its first string literal, a prefix of the message;
# the member-name diagnostics are built from pieces and are covered by the snippets above).
get_filename_component(error_header "${ERROR_HEADER}" ABSOLUTE)
get_filename_component(include_dir "${error_header}" DIRECTORY)
file(GLOB_RECURSE headers "${include_dir}/*.hpp")
set(assert_count 0)
foreach(header_file IN LISTS headers)
  file(READ "${header_file}" source)
  string(REPLACE ";" "<semicolon>" source "${source}")  # keep messages whole in CMake lists
  string(REGEX MATCHALL "static_assert\\([^\"]*\"picklejar: [^\"]*\"" asserts "${source}")
  foreach(assertion IN LISTS asserts)
    string(REGEX REPLACE "^[^\"]*\"([^\"]*)\"$" "\\1" message_text "${assertion}")
    string(REPLACE "<semicolon>" ";" message_text "${message_text}")
    string(STRIP "${message_text}" message_text)
    if(message_text STREQUAL "picklejar: member '")
      continue()
    endif()
    math(EXPR assert_count "${assert_count} + 1")
    string(FIND "${guide}" "${message_text}" found)
    if(found EQUAL -1)
      file(RELATIVE_PATH relative "${include_dir}" "${header_file}")
      string(APPEND missing "\n  static_assert (${relative}): ${message_text}")
    endif()
  endforeach()
endforeach()
if(assert_count LESS 10)
  message(FATAL_ERROR "found only ${assert_count} picklejar static_assert messages under ${include_dir}")
endif()

file(READ "${ERROR_HEADER}" header)
string(REGEX MATCH "enum class errc {[^}]*}" enum_text "${header}")
string(REGEX MATCHALL "\n  [a-z_]+( = [0-9]+)?," enumerators "${enum_text}")
list(LENGTH enumerators errc_count)
if(errc_count LESS 6)
  message(FATAL_ERROR "found only ${errc_count} errc enumerators in ${ERROR_HEADER}")
endif()
foreach(enumerator IN LISTS enumerators)
  string(REGEX REPLACE "^\n  ([a-z_]+).*" "\\1" name "${enumerator}")
  string(FIND "${guide}" "**`${name}`**" found)
  if(found EQUAL -1)
    string(APPEND missing "\n  errc::${name}: no row starting **`${name}`**")
  endif()
endforeach()

if(missing)
  message(FATAL_ERROR "docs/guide.md's troubleshooting table misses:${missing}")
endif()
message(STATUS "the troubleshooting table covers ${snippet_count} compile-fail diagnostics, "
               "${assert_count} static_assert messages and ${errc_count} errc values")
