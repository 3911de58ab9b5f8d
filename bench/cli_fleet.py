#!/usr/bin/env python3
"""The emulator's world costs through the CLI, as users run it.

- `serve --fixture` with 100,000 payloads behind the shared port: from the
  process's start to its "listening" line, and its resident memory a second
  after its banner (median of 3);
- session creates from 32 clients (`fleet_bench drive`) against `serve`
  without `--state`, with `--state FILE` and with `--state FILE
  --state-writes behind`, in interleaved rounds (median of 3).

Prints the rows of docs/performance.md.
Usage: bench/cli_fleet.py [BUILD_DIR]   (default build)
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

build = sys.argv[1] if len(sys.argv) > 1 else "build"
binary = os.path.join(build, "ims-emulator")
work = tempfile.mkdtemp(prefix="imsemu-cli-fleet-")


def fleet(n):
    path = os.path.join(work, f"fleet-{n}.json")
    with open(path, "w") as f:
        json.dump({"projects": [{"id": "bench", "allocations": [{
            "id": "arena", "annotations": {"session_type": "default"}, "buffer_size": 0,
            "min_payloads": n, "max_payloads": n + 100000, "auto_ready": True,
            "payload_spec": {"ports": [{"name": "GamePort", "container_port": 7777}]}}]}]}, f)
    return path


def start(*args):
    """serve with `args`: the process, its URL, and ms from spawn to listening.
    Returns once the banner is printed (its last line: "clock: ...")."""
    t0 = time.monotonic()
    p = subprocess.Popen([binary, "serve", "--port", "0", "--shared-port", "--log-level",
                          "error", *args], stdout=subprocess.PIPE, text=True)
    url, ms = None, 0
    for line in p.stdout:
        if line.startswith("ims-emulator listening on "):
            ms = (time.monotonic() - t0) * 1000
            url = line.split()[-1]
        if line.startswith("clock: ") and url:
            threading.Thread(target=p.stdout.read, daemon=True).start()
            return p, url, ms
    raise SystemExit("serve did not start")


def stop(p):
    p.terminate()
    p.wait(timeout=60)


def rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0


def drive(url, n):
    out = subprocess.run([os.path.join(build, "bench", "fleet_bench"), "drive", url, str(n)],
                         capture_output=True, text=True, check=True).stdout.split()
    return float(out[0])


big = fleet(100000)
starts, rss = [], []
for _ in range(3):
    p, url, ms = start("--fixture", big)
    starts.append(ms)
    time.sleep(1)  # settled: what it holds while it serves
    rss.append(rss_mb(p.pid))
    stop(p)
print("| serve --fixture, 100,000 payloads, shared port: spawn to listening, median of 3 (ms) "
      f"| {statistics.median(starts):.0f} | < 1000 |")
print(f"| the same: resident memory a second later (MB) | {statistics.median(rss):.0f} | < 150 |")

small = fleet(4000)
memory, state, behind = [], [], []
for round in range(3):
    p, url, _ = start("--fixture", small)
    memory.append(drive(url, 4000))
    stop(p)
    p, url, _ = start("--fixture", small, "--state", os.path.join(work, f"state-{round}.db"))
    state.append(drive(url, 4000))
    stop(p)
    p, url, _ = start("--fixture", small, "--state", os.path.join(work, f"behind-{round}.db"),
                      "--state-writes", "behind")
    behind.append(drive(url, 4000))
    stop(p)
m, s, b = (statistics.median(x) for x in (memory, state, behind))
print("| serve: POST sessions, 32 clients, 4,000 payloads, :memory: (sessions/s, median of 3) "
      f"| {m:.0f} | |")
print(f"| serve --state FILE: the same (sessions/s, median of 3) | {s:.0f} ({100 * s / m:.0f}% of "
      ":memory:) | |")
print(f"| serve --state FILE --state-writes behind: the same | {b:.0f} ({100 * b / m:.0f}% of "
      ":memory:) | >= 80% |")
subprocess.run(["rm", "-rf", work])
