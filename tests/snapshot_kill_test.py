#!/usr/bin/env python3
"""An interrupted export never damages the previous snapshot file.

Usage: snapshot_kill_test.py BINARY

Starts `ims-emulator serve` on a world of 3,000 payloads (a snapshot of a few
MB), exports it once, changes the world, then exports again to the same file
and kills the `export` process with SIGKILL at the moment its temporary file
appears (mid-write), and once kills the emulator itself while an export reads
from it. After every kill the file must be the previous snapshot or a whole
new one, never a part. Then `serve --import` of the file gives the same
`GET /emulator/v0/state`. Every server listens on 127.0.0.1.
"""
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.request

binary = os.path.abspath(sys.argv[1])
work = tempfile.mkdtemp(prefix="imsemu-snapshot-kill-")
fixture = os.path.join(work, "fixture.json")
snapshot = os.path.join(work, "bug.json")
with open(fixture, "w") as f:
    json.dump({"projects": [{"id": "p", "allocations": [{
        "id": "a", "name": "crowd", "annotations": {"session_type": "default"},
        "buffer_size": 3000, "max_payloads": 3000, "auto_ready": True,
        "payload_spec": {"ports": [{"name": "GamePort", "container_port": 7777}]}}]}]}, f)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import Checks  # noqa: E402

t = Checks("snapshot/kill-during-export")
check = t.check


def start(*extra):
    p = subprocess.Popen([binary, "serve", "--port", "0", "--shared-port", "--clock", "virtual",
                          "--log-level", "error", *extra], cwd=work, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    line = p.stdout.readline()
    prefix = "ims-emulator listening on "
    if not line.startswith(prefix):
        p.kill()
        sys.exit("FAIL the emulator did not start: " + line + p.stdout.read())
    threading.Thread(target=p.stdout.read, daemon=True).start()
    return p, line[len(prefix):].strip()


def call(base, path, body=None):
    request = urllib.request.Request(base + path, method="GET" if body is None else "POST",
                                     data=None if body is None else json.dumps(body).encode())
    with urllib.request.urlopen(request, timeout=60) as r:
        return json.load(r)


def export(base):
    return subprocess.Popen([binary, "export", "--url", base, snapshot],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def read_snapshot():
    with open(snapshot, "rb") as f:
        return f.read()


def whole(data):
    try:
        s = json.loads(data)
    except ValueError:
        return False
    return s.get("format") == "ims-emulator snapshot" and len(s["payloads"]) == 3000


emulator, base = start("--fixture", fixture)
try:
    check(export(base).wait() == 0, "a first export is written")
    first = read_snapshot()
    check(whole(first), f"it is a whole snapshot of 3,000 payloads ({len(first)} bytes)")
    call(base, "/emulator/v0/clock/advance", {"seconds": 1})

    # Kill `export` as soon as it starts writing: when its temporary file
    # appears or, for a writer that wrote in place, when the file changes.
    outcomes = {"previous": 0, "new": 0}
    for attempt in range(5):
        def stat():
            st = os.stat(snapshot)
            return (st.st_ino, st.st_size, st.st_mtime_ns)
        unchanged = stat()
        writer = export(base)
        temp_glob = os.path.join(work, f".bug.json.tmp-{writer.pid}")
        while writer.poll() is None and not glob.glob(temp_glob) and stat() == unchanged:
            pass
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        data = read_snapshot()
        if data == first:
            outcomes["previous"] += 1
        elif whole(data):
            outcomes["new"] += 1
            first = data
        else:
            check(False, f"attempt {attempt}: the file is neither snapshot ({len(data)} bytes)")
    check(sum(outcomes.values()) == 5,
          f"after 5 kills of export the file is always a whole snapshot: {outcomes}")
    for leftover in glob.glob(os.path.join(work, ".bug.json.tmp-*")):
        os.unlink(leftover)  # a killed export's temporary file, never the snapshot

    # Kill the emulator while an export reads from it.
    before = read_snapshot()
    reader = export(base)
    emulator.send_signal(signal.SIGKILL)
    emulator.wait()
    code = reader.wait()
    data = read_snapshot()
    check(data == before or (code == 0 and whole(data)),
          f"killing the emulator during an export leaves a whole file (export exit code {code})")
finally:
    if emulator.poll() is None:
        emulator.kill()

# The file that survived starts an emulator on the same world.
expected = json.loads(read_snapshot())
emulator, base = start("--import", snapshot)
try:
    state = call(base, "/emulator/v0/state")
    check(state["clock"]["now"] == expected["clock"]["now"] and len(state["payloads"]) == 3000,
          "serve --import starts on the snapshot's world and time")
finally:
    emulator.kill()
    emulator.wait()
shutil.rmtree(work, ignore_errors=True)
t.finish()
