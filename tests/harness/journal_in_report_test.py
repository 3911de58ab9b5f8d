#!/usr/bin/env python3
"""A failed EmulatorTest carries the emulator's journal, with the status
values, in its failure, so it is in --gtest_output=xml; a passing test
carries none. Usage: journal_in_report_test.py FAILS_ON_PURPOSE_BINARY"""
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from testlib import Checks  # noqa: E402

checks = Checks("journal in the report")
binary = sys.argv[1]
with tempfile.TemporaryDirectory() as tmp:
    report = os.path.join(tmp, "report.xml")
    run = subprocess.run([binary, f"--gtest_output=xml:{report}"], capture_output=True,
                         text=True, timeout=60)
    checks.check(run.returncode == 1, "exit code of a failing suite", run.stdout[-2000:])
    checks.check(os.path.exists(report), "the report was written")
    cases = {c.get("name"): c for c in ET.parse(report).getroot().iter("testcase")}
    failed = cases.get("SetsAStatusThenFails")
    checks.check(failed is not None, "the failing test is in the report")
    text = "\n".join(f.get("message", "") + (f.text or "") for f in failed.iter("failure"))
    checks.check("failing on purpose" in text, "its own failure is there")
    checks.check("The emulator's journal" in text, "the journal is in the failure")
    checks.check('session.status' in text and '{phase: "lobby", players: "2"}' in text,
                 "the journal shows the status values, not a count", text)
    checks.check("Ready -> Reserved" in text, "the journal shows the reservation")
    passed = cases.get("PassesAndCarriesNoJournal")
    checks.check(passed is not None and not list(passed.iter("failure")),
                 "the passing test has no failure (StatusIs with a message matcher both ways)")

    def failure_of(name):
        case = cases.get(name)
        return "" if case is None else "\n".join(
            f.get("message", "") + (f.text or "") for f in case.iter("failure"))

    value = failure_of("ReadsTheValueOfAnError")
    checks.check("the value of an error was read: NOT_FOUND" in value and "not reached" not in value,
                 "reading the value of an error fails that test, with the error, and the run goes "
                 "on", value[:1500])
    assigned = failure_of("AssertsOkOnAnError")
    checks.check('session_manager().CreateSession("no-such-type") is NOT_FOUND' in assigned and
                 "not reached" not in assigned and "imsemu_assert_statusor" not in assigned,
                 "ASSERT_OK_AND_ASSIGN names the expression, not a hidden variable", assigned[:1500])
    unmet = failure_of("LeavesAnExpectationUnmet")
    checks.check("OnReady" in unmet and "never called" in unmet and
                 "The emulator's journal" in unmet and "Ready -> Reserved" in unmet,
                 "an unmet EXPECT_CALL fails the test beside the journal", unmet[:2000])
    # (each <failure> holds its text twice: a message attribute and a body)
    case = cases.get("PrintsEachValueOnce")
    once = "" if case is None else "\n".join(f.text or "" for f in case.iter("failure"))
    for needle in ("session_type=type-once", "session_type=type-twice", "dust-once"):
        # the journal (after "The emulator's journal") may name them again
        head = once.split("The emulator's journal")[0]
        checks.check(head.count(needle) == 1, f"a failed expectation prints '{needle}' once",
                     head[:3000])
checks.finish(at_least=14)
