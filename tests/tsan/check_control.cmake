# The ThreadSanitizer control (label tsan): runs the model *without* PICKLEJAR_GUARDED_BY and
# passes only if ThreadSanitizer flags it, i.e. the program exits non-zero and its output holds
# "WARNING: ThreadSanitizer: data race". This shows the guarded test can fail: TSan is really in
# the build, and the savers really race with the trainer unless the guard is held.
#   cmake -DPROGRAM=<picklejar_tsan_control> -DSCRATCH=<directory> -P check_control.cmake
if(NOT PROGRAM OR NOT SCRATCH)
  message(FATAL_ERROR "usage: cmake -DPROGRAM=... -DSCRATCH=... -P check_control.cmake")
endif()
execute_process(
  COMMAND "${PROGRAM}" "${SCRATCH}"
  RESULT_VARIABLE result
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output)
file(REMOVE_RECURSE "${SCRATCH}")
string(REGEX MATCH "WARNING: ThreadSanitizer: data race[^\n]*" warning "${output}")
# The first lines of the report: what raced, and where.
string(REGEX MATCH "WARNING: ThreadSanitizer: data race[^\n]*\n[^\n]*\n[^\n]*\n[^\n]*\n[^\n]*" excerpt "${output}")
if(result STREQUAL "0" OR NOT warning)
  message(FATAL_ERROR "picklejar tsan control: NOT flagged (exit ${result}); ThreadSanitizer must report a data "
                      "race when the model is saved without PICKLEJAR_GUARDED_BY. Output:\n${output}")
endif()
message(STATUS "picklejar tsan control: flagged as expected (exit ${result}):\n${excerpt}")
