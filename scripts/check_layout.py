#!/usr/bin/env python3
"""Checks that the folders under include/picklejar/detail/ include only downwards.

LAYERS lists the folders from the bottom up (docs/design.md says what each holds). A header may
include headers of its own folder and of folders below it; every detail header lives in one of the
folders. Prints each include that points up and exits 1 if there is one.

    scripts/check_layout.py            (run by the test headers.layout_points_down)
"""
import pathlib
import re
import sys

LAYERS = ["declare", "session", "codecs", "document", "io", "archives", "object_io", "graph", "mpi"]
DETAIL = pathlib.Path(__file__).resolve().parent.parent / "include/picklejar/detail"
INCLUDE = re.compile(r'^\s*#\s*include\s+"picklejar/detail/([^/"]+)/[^"]+"', re.MULTILINE)


def main() -> int:
    problems = []
    for header in sorted(DETAIL.rglob("*.hpp")):
        relative = header.relative_to(DETAIL)
        if len(relative.parts) != 2 or relative.parts[0] not in LAYERS:
            problems.append(f"{relative}: not in one of the folders {', '.join(LAYERS)}")
            continue
        level = LAYERS.index(relative.parts[0])
        for folder in INCLUDE.findall(header.read_text(encoding="utf-8")):
            if folder not in LAYERS:
                problems.append(f"{relative}: includes from an unknown folder detail/{folder}/")
            elif LAYERS.index(folder) > level:
                problems.append(f"{relative}: includes detail/{folder}/, which is above detail/{relative.parts[0]}/")
    for problem in problems:
        print(problem)
    if not problems:
        print(f"layout: every include under detail/ points down ({' < '.join(LAYERS)})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
