#!/bin/sh
# One sharded-checkpoint test case: runs mpi_checkpoint_test under mpiexec, with as many ranks as
# the case needs, in a fresh directory. Used by tests/mpi/CMakeLists.txt.
#   run_case.sh MPIEXEC NUMPROC_FLAG PROGRAM DIR CASE
# Open MPI refuses to run as root and to start more ranks than cores unless told; the tests do
# both (CI runs as root on 2 cores), so its flags are added when the launcher is Open MPI's.
set -u
mpiexec=$1 numproc_flag=$2 program=$3 dir=$4 case=$5
flags=""
if "$mpiexec" --version 2>&1 | grep -q -i -e "open mpi" -e "openrte" -e "open-mpi.org"; then flags="--allow-run-as-root --oversubscribe"; fi
run() {
  np=$1
  shift
  # shellcheck disable=SC2086  # $flags is a list of words
  "$mpiexec" $flags "$numproc_flag" "$np" "$program" "$@"
}
rm -rf "$dir" && mkdir -p "$dir" || exit 1
run_dir="$dir/run"
case "$case" in
  save_on_4_load_on_4) run 4 save "$run_dir" && run 4 load "$run_dir" 4 && run 4 load "$run_dir" 4 shifted ;;
  save_on_4_load_on_2) run 4 save "$run_dir" && run 2 load "$run_dir" 4 ;;
  save_on_4_load_on_3) run 4 save "$run_dir" && run 3 load "$run_dir" 4 ;;
  save_on_4_load_on_1) run 4 save "$run_dir" && run 1 load "$run_dir" 4 ;;
  save_on_3_load_on_4) run 3 save "$run_dir" && run 4 load "$run_dir" 3 ;;
  retention) run 4 retention "$run_dir" ;;
  failed_save) run 4 fail "$run_dir" ;;
  killed_rank)
    # Rank 1 dies in the middle of step 2's save: the job must fail...
    if run 4 kill "$run_dir" >"$dir/killed.log" 2>&1; then
      echo "the job whose rank 1 was killed did not fail:"
      cat "$dir/killed.log"
      exit 1
    fi
    echo "the job whose rank 1 was killed failed, as it should"
    # ...and step 1 is still the latest checkpoint, whole.
    run 4 after_kill "$run_dir"
    ;;
  hostile_manifest) run 4 hostile "$run_dir" ;;
  save_async) run 4 async "$run_dir" ;;
  *) echo "unknown case $case"; exit 2 ;;
esac
