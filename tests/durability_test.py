#!/usr/bin/env python3
"""No acknowledged write is lost when the emulator is killed with SIGKILL.

Usage: durability_test.py BINARY
Starts `ims-emulator serve --state FILE`, has eight game clients create
sessions concurrently, kills the emulator with SIGKILL while creates are in
flight, restarts it on the same file, and checks that every session whose
create was answered 200 is still there (List Sessions), and that the ids the
restarted emulator hands out are new.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request

from testlib import Checks

binary = os.path.abspath(sys.argv[1])
work = tempfile.mkdtemp(prefix="imsemu-durability-")
state = os.path.join(work, "world.db")
fixture = os.path.join(work, "fixture.json")
with open(fixture, "w") as f:
    json.dump({"projects": [{"id": "p", "allocations": [{
        "id": "a", "name": "arena", "annotations": {"session_type": "default"},
        "buffer_size": 8, "max_payloads": 100000, "auto_ready": True,
        "payload_spec": {"ports": [{"name": "GamePort", "container_port": 7777}]}}]}]}, f)

AUTH = {"Authorization": "Bearer durability/test"}
SESSIONS = "/api/v0/projects/p/sessions?session_type=default"


def start():
    p = subprocess.Popen([binary, "serve", "--port", "0", "--shared-port", "--state", state,
                          "--fixture", fixture, "--log-level", "error"],
                         cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = p.stdout.readline()
    prefix = "ims-emulator listening on "
    if not line.startswith(prefix):
        p.kill()
        sys.exit("FAIL the emulator did not start: " + line + p.stdout.read())
    threading.Thread(target=p.stdout.read, daemon=True).start()  # keep the pipe drained
    return p, line[len(prefix):].strip()


def call(url, method="GET", body=None):
    request = urllib.request.Request(url, data=body, method=method, headers=AUTH)
    with urllib.request.urlopen(request, timeout=10) as r:
        return r.status, json.load(r)


emulator, base = start()
acknowledged = []
lock = threading.Lock()
enough = threading.Event()


def game_client():
    while True:
        try:
            status, body = call(base + SESSIONS, "POST", b'{"session_config": "cfg"}')
        except (urllib.error.URLError, ConnectionError, OSError):
            return  # the emulator is gone
        if status == 200:
            with lock:
                acknowledged.append(body["id"])
                if len(acknowledged) >= 300:
                    enough.set()


clients = [threading.Thread(target=game_client) for _ in range(8)]
for c in clients:
    c.start()
if not enough.wait(timeout=120):
    emulator.kill()
    sys.exit("FAIL fewer than 300 sessions were created in 120 s")
emulator.send_signal(signal.SIGKILL)  # creates are in flight right now
emulator.wait()
for c in clients:
    c.join()
with lock:
    saved = list(acknowledged)

emulator, base = start()
checks = Checks("durability")
try:
    _, listed = call(base + SESSIONS)
    present = {s["id"] for s in listed["sessions"]}
    lost = [i for i in saved if i not in present]
    checks.check(not lost, "the %d acknowledged sessions survived SIGKILL" % len(saved),
                 "%d lost, e.g. %s" % (len(lost), lost[:3]))
    status, fresh = call(base + SESSIONS, "POST", b"{}")
    checks.check(status == 200 and fresh["id"] not in saved,
                 "after the restart a create hands out a new id", "%d %s" % (status, fresh))
finally:
    emulator.send_signal(signal.SIGTERM)
    emulator.wait(timeout=60)

if not checks.failures:
    shutil.rmtree(work, ignore_errors=True)  # kept to look at after a failure
checks.finish()
