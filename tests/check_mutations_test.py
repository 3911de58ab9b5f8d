#!/usr/bin/env python3
"""The mutation table of `ims-emulator check`, through the real binary.

Usage: check_mutations_test.py IMS_EMULATOR STANDIN_CPP PROJECT_DIR

Every broken stand-in in tests/check/mutations.json (in C++ and in Python)
fails exactly the case it breaks, with its evidence, and passes every other;
the well-behaved stand-ins pass everything; a server that is never Ready
fails once, up front, with the rest skipped; a command that cannot start is
an error before any case; and docs/check.md's table is this table.
"""
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import Checks  # noqa: E402

binary, standin_cpp, project = (os.path.abspath(a) for a in sys.argv[1:4])
standin_py = os.path.join(project, "tests", "check", "standin_game_server.py")
work = tempfile.mkdtemp(prefix="imsemu-mutations-")
t = Checks("check/mutations")
CASES = ["boots-against-a-late-api", "gets-ready", "waits-for-the-reservation-politely",
         "reads-the-config-and-sets-a-status", "survives-hostile-session-configs",
         "status-etiquette", "exits-on-sigterm"]
with open(os.path.join(project, "tests", "check", "mutations.json")) as f:
    table = json.load(f)["mutations"]


def server(kind):
    return [standin_cpp] if kind == "cpp" else [sys.executable, standin_py]


def run(*command, flags=()):
    started = time.monotonic()
    r = subprocess.run([binary, "check", *flags, "--", *command], cwd=work, capture_output=True,
                       text=True, timeout=400)
    return r, time.monotonic() - started


def verdicts(output):
    return {name: v for v, name in re.findall(r"^(PASS|FAIL|SKIP) ([a-z0-9-]+):", output, re.M)}


# Runs eight at a time: each check mostly waits on its server. Well behaved:
# each stand-in as it is, and the Python one taking 8 s to leave on SIGTERM,
# within the one grace period (10 s) serve gives too.
WELL = {"flag": None}
SLOW = {"flag": "--slow-leave"}
jobs = [("cpp", WELL), ("python", WELL), ("python", SLOW)] + [(m["server"], m) for m in table]
with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
    futures = [pool.submit(run, *server(kind), *([m["flag"]] if m["flag"] else []))
               for kind, m in jobs]
    results = [f.result() for f in futures]

for (kind, m), (r, took) in zip(jobs, results):
    got = verdicts(r.stdout)
    if m in (WELL, SLOW):
        t.check(r.returncode == 0 and list(got) == CASES and set(got.values()) == {"PASS"},
                f"the well-behaved {kind} stand-in {m['flag'] or ''} passes every case ({took:.0f} s)",
                r.stdout + r.stderr)
        continue
    label = f"{kind} {m['flag']}"
    failed = [name for name, v in got.items() if v == "FAIL"]
    skipped = [name for name, v in got.items() if v == "SKIP"]
    t.check(r.returncode == 1 and list(got) == CASES and failed == [m["fails"]] and
            skipped == m.get("skips", []),
            f"{label}: only {m['fails']} fails, skipping {m.get('skips', [])} ({took:.0f} s)",
            r.stdout + r.stderr)
    for name in skipped:
        line = next(l for l in r.stdout.splitlines() if l.startswith(f"SKIP {name}:"))
        t.check(f"(FAIL {m['fails']})" in line, f"{label}: {name} is skipped naming {m['fails']}",
                line)
    block = r.stdout[r.stdout.find("FAIL " + m["fails"]):]
    block = block[:block.find("\nPASS ") if "\nPASS " in block else len(block)]
    t.check(m["evidence"] in block.split("\n")[0] and "    calls:" in block and "    process:" in block
            and "    journal:" in block and "    output (" in block,
            f"{label}: the failure says '{m['evidence']}', with calls, process, journal and output",
            block[:2000])

# Never Ready: one failure up front, every case skipped with it, well under 30 s.
junit = os.path.join(work, "never-ready.xml")
r, took = run(standin_cpp, "--never-ready", flags=("--junit", junit))
got = verdicts(r.stdout)
t.check(r.returncode == 1 and got.get("starts-and-gets-ready") == "FAIL" and
        [n for n, v in got.items() if v == "SKIP"] == CASES and took < 30,
        f"a server that is never Ready fails once and the rest are skipped ({took:.1f} s)",
        r.stdout + r.stderr)
t.check("never Ready: not Ready within 10.0 s" in r.stdout and
        "0 passed, 1 failed, 7 skipped" in r.stdout, "it says why, and counts the skips", r.stdout)
suite = ET.parse(junit).getroot().find("testsuite")
t.check(suite.get("failures") == "1" and suite.get("skipped") == "7" and
        len(suite.findall(".//skipped")) == 7 and len(suite.findall(".//failure")) == 1,
        "the JUnit report has the failure and seven skipped cases", ET.tostring(suite)[:1500])

# A command that cannot start is an error before any case.
r, took = run("nosuchserver")
t.check(r.returncode == 2 and "cannot start 'nosuchserver': not found on PATH" in r.stderr and
        not verdicts(r.stdout) and took < 5, "a command that cannot start is an error up front",
        r.stdout + r.stderr)
r, took = run(os.path.join(project, "README.md"))
t.check(r.returncode == 2 and "not executable" in r.stderr, "a file that is not a program too",
        r.stderr)

# The check guide shows this table, row for row.
with open(os.path.join(project, "docs", "check.md")) as f:
    readme = f.read()
for m in table:
    skips = ", ".join(f"`{s}`" for s in m.get("skips", []))
    row = (f"| {'C++' if m['server'] == 'cpp' else 'Python'} | `{m['flag']}` | {m['breaks']} | "
           f"`{m['fails']}` | {skips} |")
    t.check(row in readme, f"docs/check.md's mutation table has {m['server']} {m['flag']}", row)

t.finish()
