#!/usr/bin/env python3
"""Branch coverage per source file from `llvm-cov export -format=text` (JSON), instantiations merged.

    branch_coverage.py [--missing] --root ROOT --export JSON [--export JSON...] FILE...

A branch is one outcome (true or false) of one source-level condition: an `if`, a loop condition,
`?:`, each operand of `&&` and `||`. Clang records the conditions of every instantiation of a
template separately; here a condition is identified by its place in the source, and an outcome
counts as taken when any instantiation took it. (gcov and llvm-cov's own report count every
instantiation's conditions again, so a header's figure would measure how many types the tests
instantiate it with, not which of its conditions ever went either way.)

Each JSON is the export of one program (llvm-cov export -format=text -instr-profile P PROGRAM):
one program at a time, because an inline function compiled differently in two programs (the
replay driver's fuzzing define) has two profiles that llvm-cov cannot read together.

Prints one line per FILE (paths relative to ROOT) and a total; --missing also lists the outcomes
never taken, as line:column and the outcome.
"""
import argparse
import json
import os
import sys


def add_outcomes(export, wanted, outcomes):
    """Adds the branches of one export to outcomes: (file, line, column, end line, end column) ->
    [true taken, false taken]."""
    for data in export["data"]:
        for function in data["functions"]:
            filenames = function["filenames"]
            for branch in function["branches"]:
                line, column, end_line, end_column, true_count, false_count, file_id = branch[:7]
                path = os.path.realpath(filenames[file_id])
                if path not in wanted:
                    continue
                key = (path, line, column, end_line, end_column)
                seen = outcomes.setdefault(key, [False, False])
                seen[0] = seen[0] or true_count > 0
                seen[1] = seen[1] or false_count > 0


def main(argv):
    parser = argparse.ArgumentParser(description="Branch coverage per file, template instantiations merged.")
    parser.add_argument("--root", required=True)
    parser.add_argument("--export", action="append", required=True)
    parser.add_argument("--missing", action="store_true")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args(argv[1:])
    root, files, missing = os.path.realpath(args.root), args.files, args.missing
    wanted = {os.path.realpath(os.path.join(root, f)): f for f in files}

    outcomes = {}
    for export_path in args.export:
        with open(export_path) as f:
            export = json.load(f)
        add_outcomes(export, wanted, outcomes)

    total_branches = total_taken = 0
    width = max(len(f) for f in files)
    print(f"{'file':<{width}}  {'branches':>8}  {'taken':>6}  {'cover':>6}")
    for path, name in wanted.items():
        keys = sorted(k for k in outcomes if k[0] == path)
        branches = 2 * len(keys)
        taken = sum(outcomes[k][0] + outcomes[k][1] for k in keys)
        total_branches += branches
        total_taken += taken
        cover = f"{100.0 * taken / branches:5.1f}%" if branches else "    -"
        print(f"{name:<{width}}  {branches:>8}  {taken:>6}  {cover:>6}")
        if missing:
            for k in keys:
                never = [outcome for outcome, hit in zip(("true", "false"), outcomes[k]) if not hit]
                if never:
                    print(f"    {name}:{k[1]}:{k[2]} never {' nor '.join(never)}")
    cover = 100.0 * total_taken / total_branches if total_branches else 0.0
    print(f"{'TOTAL':<{width}}  {total_branches:>8}  {total_taken:>6}  {cover:5.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
