#!/usr/bin/env python3
"""The layers of docs/ARCHITECTURE.md, read from every #include:

- a folder under emulator/ includes only the folders its row below allows
  (and the public headers, include/ims_emulator/, which anyone may);
- the public headers include the standard library, each other and (the
  harness) GoogleTest/gMock only: no httplib, SQLite, spdlog, yaml-cpp or
  nlohmann, nothing of the library's internals. A compiler cannot check
  this (those headers sit in /usr/include beside the standard ones).

Usage: layers_test.py SOURCE_DIR
"""
import os
import re
import sys

from testlib import Checks

# Folder (or "facade": emulator/emulator.*, "main": emulator/main.cc) -> what
# it may include under emulator/, lowest floor first.
BASE = {"clock", "util"}
MAY_INCLUDE = {
    "clock": {"util"},
    "util": {"clock"},
    "core": BASE,
    "codec": BASE | {"core"},
    "store": BASE | {"core", "codec"},
    "http": BASE | {"core", "codec"},
    "process": BASE | {"core"},
    "scenario": BASE | {"core", "codec"},
    "clients": {"util"},
    "facade": BASE | {"core", "codec", "store", "http", "process", "scenario"},
    "harness": BASE | {"core", "codec", "scenario", "clients", "facade"},
    "check": BASE | {"core", "codec", "http", "process", "facade", "harness"},
    "rehearse": BASE | {"core", "codec", "store"},
    "explore": BASE | {"core", "codec", "http", "process", "facade", "harness", "check"},
    "cli": BASE | {"core", "codec", "store", "http", "process", "scenario", "clients",
                   "facade", "harness", "check", "explore", "rehearse"},
    "main": {"cli"},
}
INCLUDE = re.compile(r'\s*#\s*include\s*([<"])([^>"]+)[>"]')


def floor_of(path):
    """The floor of a file under emulator/ ("emulator/http/x.h" -> "http")."""
    parts = path.split("/")
    if len(parts) > 2:
        return parts[1]
    return "main" if parts[1] == "main.cc" else "facade"


def includes(path):
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        m = INCLUDE.match(line)
        if m:
            yield n, m.group(1), m.group(2)


def main(source_dir):
    checks = Checks("layers")
    os.chdir(source_dir)
    sources = []
    for folder, _, files in os.walk("emulator"):
        sources += [os.path.join(folder, f) for f in files if f.endswith((".h", ".cc"))]
    floors = set()
    for path in sorted(sources):
        floor = floor_of(path)
        floors.add(floor)
        if not checks.check(floor in MAY_INCLUDE, f"{path}: its floor '{floor}' has a row"):
            continue
        wrong = []
        for n, kind, target in includes(path):
            if kind != '"' or not target.startswith("emulator/"):
                continue
            to = floor_of(target)
            if to != floor and to not in MAY_INCLUDE[floor]:
                wrong.append(f"{path}:{n}: {floor}/ includes {target} ({to}/)")
        checks.check(not wrong, f"{path} includes only floors below it", "\n".join(wrong))
    checks.check({"core", "facade", "main", "cli"} <= floors, "the walk found the floors",
                 sorted(floors))

    root = os.path.join("include", "ims_emulator")
    headers = sorted(n for n in os.listdir(root) if n.endswith(".h"))
    checks.check(len(headers) >= 5, "the public headers are there", headers)
    for name in headers:
        bad = []
        for n, kind, target in includes(os.path.join(root, name)):
            standard = kind == "<" and "/" not in target and "." not in target
            ours = kind == '"' and target.startswith("ims_emulator/")
            ours = ours or target in ("gtest/gtest.h", "gmock/gmock.h")
            if not (standard or ours):
                bad.append(f"{name}:{n}: {target}")
        checks.check(not bad, f"include/ims_emulator/{name} includes only standard and public "
                     "headers", "\n".join(bad))
    checks.finish()


if __name__ == "__main__":
    main(sys.argv[1])
