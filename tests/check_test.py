#!/usr/bin/env python3
"""`ims-emulator check` through the real binary.

Usage: check_test.py IMS_EMULATOR EXAMPLE_GAME_SERVER STANDIN PROJECT_DIR

The example game server passes every case (with its own match-end case and
its fixture linted); --only, --junit, and a case file with a typo. The broken
stand-ins are check_mutations_test.py's.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

binary, example, standin, project = (os.path.abspath(a) for a in sys.argv[1:5])
work = tempfile.mkdtemp(prefix="imsemu-check-")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import Checks  # noqa: E402

t = Checks("check/cases")
check = t.check


def run(*args):
    return subprocess.run([binary, "check", *args], cwd=work, capture_output=True, text=True,
                          timeout=300)


def verdicts(output):
    """{case: PASS or FAIL}, in the order run."""
    return {name: verdict for verdict, name in re.findall(r"^(PASS|FAIL) ([a-z0-9-]+):", output, re.M)}


DEFAULT = ["boots-against-a-late-api", "gets-ready", "waits-for-the-reservation-politely",
           "reads-the-config-and-sets-a-status", "survives-hostile-session-configs",
           "status-etiquette", "exits-on-sigterm"]

# The example, as its README section runs it: every case passes.
fixture = os.path.join(work, "example-game.json")
with open(os.path.join(project, "fixtures", "example-game.json")) as f:
    text = f.read().replace("../build/examples/example-game-server", example)
with open(fixture, "w") as f:
    f.write(text)
junit = os.path.join(work, "check.xml")
r = run("--fixture", fixture, "--cases", os.path.join(project, "examples", "check-cases.yaml"),
        "--junit", junit)
got = verdicts(r.stdout)
check(r.returncode == 0 and set(got) == set(DEFAULT) | {"fixture-lint", "ends-a-match-with-exit-0"}
      and set(got.values()) == {"PASS"}, "the example game server passes every case",
      r.stdout + r.stderr)
removed = re.search(r"game-server logs removed from (\S+);", r.stdout)
check(removed is not None and not os.path.exists(removed.group(1)),
      "a passing check removes its logs' temporary folder and says so", r.stdout)
r_keep = run("--only", "gets-ready", "--keep-logs", "--", standin)
kept = re.search(r"game-server logs kept in (\S+)\)", r_keep.stdout)
check(r_keep.returncode == 0 and kept is not None and os.path.isdir(kept.group(1)),
      "--keep-logs keeps the folder and prints where", r_keep.stdout)
if kept:
    shutil.rmtree(kept.group(1), ignore_errors=True)
suite = ET.parse(junit).getroot()
check(len(suite.findall(".//testcase")) == 9 and not suite.findall(".//failure"),
      "the JUnit report has a passing testcase per case")

# --only, and what is refused before anything runs.
r = run("--only", "gets-ready,exits-on-sigterm", "--", standin)
check(r.returncode == 0 and list(verdicts(r.stdout)) == ["gets-ready", "exits-on-sigterm"],
      "--only runs the cases named, in order", r.stdout + r.stderr)
r = run("--only", "gets-raedy", "--", standin)
check(r.returncode == 2 and "no case named 'gets-raedy'" in r.stderr, "--only with a typo is an error",
      r.stderr)
bad = os.path.join(work, "bad.yaml")
with open(bad, "w") as f:
    f.write("cases:\n  - name: mine\n    probe: ready\n    params: {within_secnods: 5}\n")
r = run("--cases", bad, "--", standin)
check(r.returncode == 2 and "bad.yaml: cases[0] (mine).params.within_secnods: probe ready has no such "
      "parameter (within_seconds)" in r.stderr, "a parameter typo in a case file is an error",
      r.stderr)
r = run()
check(r.returncode == 2 and "check needs the game server" in r.stderr, "no server to check is an error",
      r.stderr)

shutil.rmtree(work, ignore_errors=True)
t.finish()
