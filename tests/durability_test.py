#!/usr/bin/env python3
"""No acknowledged write is lost when the emulator is killed with SIGKILL.

Usage: durability_test.py BINARY
Starts `ims-emulator serve --state FILE`, has eight game clients create
sessions concurrently, kills the emulator with SIGKILL while creates are in
flight, restarts it on the same file, and checks that every session whose
create was answered 200 is still there (List Sessions), and that the ids the
restarted emulator hands out are new.

Then the same with `--state-writes behind` (changes written after they are
answered): stopped with SIGTERM while creates are in flight, nothing
answered is lost either; killed with SIGKILL, the file is a world the
emulator resumes; with the disk full, every change is refused, named.
"""
import json
import os
import resource
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


def start(*extra):
    p = subprocess.Popen([binary, "serve", "--port", "0", "--shared-port", "--state", state,
                          "--fixture", fixture, "--log-level", "error", *extra],
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


def game_client(base, acknowledged, lock, enough):
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


def create_then_stop(how, *extra):
    """Creates sessions from 8 clients, stops the emulator with `how` while
    creates are in flight; returns the ids answered 200, in answer order."""
    emulator, base = start(*extra)
    acknowledged, lock, enough = [], threading.Lock(), threading.Event()
    clients = [threading.Thread(target=game_client, args=(base, acknowledged, lock, enough))
               for _ in range(8)]
    for c in clients:
        c.start()
    if not enough.wait(timeout=120):
        emulator.kill()
        sys.exit("FAIL fewer than 300 sessions were created in 120 s")
    emulator.send_signal(how)  # creates are in flight right now
    emulator.wait(timeout=60)
    for c in clients:
        c.join()
    with lock:
        return list(acknowledged)


def listed(base):
    _, body = call(base + SESSIONS)
    return {s["id"] for s in body["sessions"]}


checks = Checks("durability")
saved = create_then_stop(signal.SIGKILL)
emulator, base = start()
try:
    present = listed(base)
    lost = [i for i in saved if i not in present]
    checks.check(not lost, "the %d acknowledged sessions survived SIGKILL" % len(saved),
                 "%d lost, e.g. %s" % (len(lost), lost[:3]))
    status, fresh = call(base + SESSIONS, "POST", b"{}")
    checks.check(status == 200 and fresh["id"] not in saved,
                 "after the restart a create hands out a new id", "%d %s" % (status, fresh))
finally:
    emulator.send_signal(signal.SIGTERM)
    emulator.wait(timeout=60)

# Written behind: a stop writes everything answered before the process ends.
saved = create_then_stop(signal.SIGTERM, "--state-writes", "behind")
emulator, base = start("--state-writes", "behind")
try:
    present = earlier = listed(base)
    lost = [i for i in saved if i not in present]
    checks.check(not lost and len(saved) >= 300,
                 "--state-writes behind: the %d answered sessions survived SIGTERM" % len(saved),
                 "%d lost, e.g. %s" % (len(lost), lost[:3]))
finally:
    emulator.send_signal(signal.SIGTERM)
    emulator.wait(timeout=60)

# Killed, it may lose the newest answers, never the file: it resumes, with
# everything of the runs before and, of this one, answered sessions and at
# most the 8 creates that were in flight (answered or not: which were lost is
# in commit order, which the clients cannot see).
saved = create_then_stop(signal.SIGKILL, "--state-writes", "behind")
emulator, base = start()
try:
    now = listed(base)
    kept = [i for i in saved if i in now]
    unknown = now - earlier - set(saved)
    checks.check(len(unknown) <= 8,
                 "--state-writes behind: after SIGKILL the file resumes with %d of the %d "
                 "answered sessions (the newest may be lost) and %d in flight"
                 % (len(kept), len(saved), len(unknown)),
                 "%d sessions nobody was answered" % len(unknown))
    missing = earlier - now
    checks.check(not missing, "the %d sessions of the runs before are all there" % len(earlier),
                 "%d missing" % len(missing))
finally:
    emulator.send_signal(signal.SIGTERM)
    emulator.wait(timeout=60)

# A full disk, written behind: once a write fails, every later change is
# refused with the error, in the Session Manager's error shape.
os.remove(state)
for suffix in ("-wal", "-shm"):
    if os.path.exists(state + suffix):
        os.remove(state + suffix)


def small_disk():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, resource.RLIM_INFINITY))


p = subprocess.Popen([binary, "serve", "--port", "0", "--shared-port", "--state", state,
                      "--fixture", fixture, "--log-level", "off", "--state-writes", "behind"],
                     cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                     preexec_fn=small_disk)
try:
    base = p.stdout.readline()[len("ims-emulator listening on "):].strip()
    threading.Thread(target=p.stdout.read, daemon=True).start()
    refused = None
    for _ in range(5000):
        try:
            call(base + SESSIONS, "POST", b'{"session_config": "' + b"x" * 4000 + b'"}')
        except urllib.error.HTTPError as e:
            refused = (e.code, json.load(e))
            break
    checks.check(refused is not None and refused[0] == 500 and
                 "could not be written (sqlite: disk I/O error)" in refused[1]["message"] and
                 "refused until the emulator is restarted" in refused[1]["message"],
                 "--state-writes behind: with the disk full, a create is refused with the "
                 "file's error (500): " + str(refused), str(refused))
    again = None
    try:
        call(base + SESSIONS, "POST", b"{}")
    except urllib.error.HTTPError as e:
        again = e.code
    checks.check(again == 500, "and so is every later change", str(again))
finally:
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=60)

if not checks.failures:
    shutil.rmtree(work, ignore_errors=True)  # kept to look at after a failure
checks.finish()
