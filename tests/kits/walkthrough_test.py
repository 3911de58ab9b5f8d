#!/usr/bin/env python3
"""Runs a kit's walkthrough (docs/kits/LANG.md) as a reader would paste it:
each fenced block whose first line is a `file: NAME` comment is written to a
fresh folder under that name, then each block whose first line is a `run:`
comment runs there in bash, with IMS_EMULATOR_SOURCE (this repository) and
IMS_EMULATOR_BINARY set as the walkthrough tells the reader to. A block that
fails fails the test; a walkthrough with no file or no run block fails too.

The TypeScript walkthrough's blocks run under scripts/with-docker-api.sh
(podman's Docker-compatible API, without DOCKER_HOST).

Usage: walkthrough_test.py WALKTHROUGH.md IMS_EMULATOR_BINARY
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import Checks  # noqa: E402

doc, binary = sys.argv[1], os.path.abspath(sys.argv[2])
source = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
t = Checks("walkthrough " + os.path.basename(doc))
text = open(doc, encoding="utf-8").read()
blocks = re.findall(r"```\w*\n(.*?)```", text, re.S)
# How each runner says how many tests passed: node's test runner, pytest,
# NUnit's console.
PASSED = re.compile(r"^# pass (\d+)$|^(?:=+ )?(\d+) passed|^Tests run: (\d+), Errors: 0, Failures: 0", re.M)
header = re.compile(r"^\s*(?:#|//)\s*(file|run):\s*(.*?)\s*$")
files, runs = [], []
for block in blocks:
    first, _, rest = block.partition("\n")
    m = header.match(first)
    if m and m.group(1) == "file":
        files.append((m.group(2), rest))
    elif m:
        runs.append(rest)
t.check(files and runs, f"{doc} has file blocks ({len(files)}) and run blocks ({len(runs)})")

work = tempfile.mkdtemp(prefix="imsemu-walkthrough-")
for name, content in files:
    path = os.path.join(work, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(content)
env = dict(os.environ, IMS_EMULATOR_SOURCE=source, IMS_EMULATOR_BINARY=binary)
env.pop("IMS_EMULATOR_URL", None)

shell = ["bash", "-euo", "pipefail", "-c"]
if doc.endswith("typescript.md"):
    shell = ["bash", os.path.join(source, "scripts", "with-docker-api.sh")] + shell
for n, script in enumerate(runs, 1):
    r = subprocess.run(shell + [script], cwd=work, env=env, capture_output=True, text=True,
                       timeout=540)
    t.check(r.returncode == 0, f"run block {n} passes: {script.strip().splitlines()[-1]}",
            f"exit {r.returncode}\n{r.stdout[-6000:]}\n{r.stderr[-3000:]}")
    ran = [int(x) for m in PASSED.findall(r.stdout) for x in m if x]
    t.check(sum(ran) > 0, f"run block {n} ran tests ({sum(ran)} passed)", r.stdout[-3000:])
if not t.failures:
    shutil.rmtree(work, ignore_errors=True)
t.finish(at_least=2)
