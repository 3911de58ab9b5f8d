#!/usr/bin/env python3
"""`ims-emulator explore` through the real binary.

Usage: explore_test.py IMS_EMULATOR STANDIN_CPP EXAMPLE_GAME_SERVER

A stand-in with a planted bug (it crashes on a config that is not a JSON
object) is found within 16 runs, shrunk to at most two events, played again
to count how often it breaks, reported with its property, program and output, and written to
--out (the same seed draws the same programs: tests/explore/program_test.cc;
what a real process does with them has real timing). The well-behaved stand-in
and the example game server come through the same budget with nothing
found. Usage mistakes exit 2 before any run.
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import Checks  # noqa: E402

binary, standin, example = (os.path.abspath(a) for a in sys.argv[1:4])
work = tempfile.mkdtemp(prefix="imsemu-explore-")
t = Checks("explore")
BUDGET = ["--runs", "16", "--jobs", "4", "--seed", "7"]


def explore(*args):
    return subprocess.run([binary, "explore", *args], cwd=work, capture_output=True, text=True,
                          timeout=600)


def program_of(report):
    return re.findall(r"^    (\d+\. .*)$", report, re.M)


found = explore(*BUDGET, "--out", "findings", "--", standin, "--crash-on-bad-config")
text = found.stdout + found.stderr
t.check(found.returncode == 1 and "FINDING no-crash: ended (signal 6 (SIGABRT))" in found.stdout,
        "a crash on a config that is not a JSON object is found, exit 1", text)
program = program_of(found.stdout)
t.check(1 <= len(program) <= 2 and any("reserve" in line for line in program),
        f"shrunk to at most two events, the reservation among them: {program}", text)
again = re.search(r"broke it again in (\d) of 5 plays( \(timing decides: not certain\))?",
                  found.stdout)
t.check(again is not None and int(again.group(1)) >= 1 and
        (again.group(2) is not None) == (again.group(1) != "5"),
        "how often the minimal program broke it again, and not certain unless every time", text)
t.check("the config is not a JSON object: crashing" in found.stdout,
        "the report shows the server's own output", text)
t.check(f"search again: ims-emulator explore --seed 7 --runs 16 -- {standin} --crash-on-bad-config"
        in found.stdout, "and the command that searches again", text)
written = os.path.join(work, "findings", "finding.txt")
t.check(os.path.exists(written) and "FINDING no-crash" in open(written).read(),
        "the finding is written to --out")
for name, server in (("the well-behaved stand-in", [standin]),
                     ("the example game server", [example, "--port", "{port:GamePort}"])):
    r = explore(*BUDGET, "--", *server)
    t.check(r.returncode == 0 and "nothing broke in 16 runs (seed 7)" in r.stdout,
            f"{name} comes through the same budget with nothing found", r.stdout + r.stderr)

for args, says in ((["--runs", "2", "--", "./no-such-server"], "cannot start './no-such-server'"),
                   (["--runz", "2", "--", standin], "did you mean '--runs'?"),
                   ([], "explore needs the game server")):
    r = explore(*args)
    t.check(r.returncode == 2 and says in r.stderr and "FINDING" not in r.stdout,
            f"a usage mistake exits 2 before any run: {' '.join(args) or '(no command)'}",
            r.stdout + r.stderr)
t.finish()
