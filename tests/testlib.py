"""What the Python script tests share: a named check that records failures
and a closing line CTest and people read. A script that checked nothing fails.
"""
import sys


class Checks:
    def __init__(self, name):
        self.name = name
        self.failures = []
        self.count = 0

    def check(self, condition, what, detail=""):
        """Records `what` as passed or failed; prints `detail` when it failed."""
        self.count += 1
        print(("ok   " if condition else "FAIL ") + what + ("" if condition else "\n" + str(detail)),
              flush=True)
        if not condition:
            self.failures.append(what)
        return condition

    def finish(self, at_least=1):
        """Exits non-zero when any check failed, or when fewer than `at_least` ran."""
        if self.count < at_least:
            sys.exit(f"FAIL {self.name}: {self.count} check(s) ran, fewer than {at_least}")
        print(f"{self.count - len(self.failures)} passed, {len(self.failures)} failed")
        if self.failures:
            sys.exit(f"FAIL {self.name}: {len(self.failures)} check(s) failed")
