#!/usr/bin/env python3
"""`serve --record` writes a scenario that `scenario run` replays.

Usage: record_test.py IMS_EMULATOR EXAMPLE_GAME_SERVER

1. Under the virtual clock: a game client, a game server (over its own port
   and the shared port), an orchestration caller and control calls drive a
   flow against `serve --record`; the emulator is killed with SIGKILL (what
   was answered must be in the file); the file passes `scenario run`, holds
   no credential, and with one expectation edited fails at that step with the
   usual report.
2. Under the real clock, rounded time: the recording replays.
3. A real game-server process (examples/example_game_server.cc): what it did
   over the Payload Local API, and its exit, replay without the process; its
   identical polls are one step each with their count.
Every server listens on 127.0.0.1.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request

binary = os.path.abspath(sys.argv[1])
game_server = os.path.abspath(sys.argv[2])
work = tempfile.mkdtemp(prefix="imsemu-record-")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import Checks  # noqa: E402

t = Checks("scenario-record/replays")
check = t.check
SECRET = "steam/SECRET-TICKET-1234"


def start(record, *extra):
    p = subprocess.Popen([binary, "serve", "--port", "0", "--record", record, "--log-level",
                          "error", *extra], cwd=work, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    lines = []
    while True:
        line = p.stdout.readline()
        if not line:
            p.kill()
            sys.exit("FAIL the emulator did not start: " + "".join(lines))
        lines.append(line)
        if line.startswith("clock:"):
            break
    threading.Thread(target=p.stdout.read, daemon=True).start()
    base = re.search(r"listening on (\S+)", lines[0]).group(1)
    apis = re.findall(r"ORCHESTRATION_PAYLOAD_API=(\S+)", "".join(lines))
    return p, base, apis


def call(url, method="GET", body=None, auth=True):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    headers = {"Authorization": "Bearer secret-token:" + SECRET} if auth else {}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def replay(path):
    return subprocess.run([binary, "scenario", "run", path], capture_output=True, text=True)


# --- 1. The virtual clock ------------------------------------------------------
recorded = os.path.join(work, "session.yaml")
emulator, base, apis = start(recorded, "--clock", "virtual")
sessions = base + "/api/v0/projects/local-project/sessions?session_type=default"
status, created = call(sessions, "POST", {"session_config": '{"map": "docks \U0001F6A2", "note": "${not a var}"}'})
check(status == 200, "a game client creates a session")
session = created["id"]
api = "http://" + next(a for a in apis if a)  # every payload's own port, in order
state = call(base + "/emulator/v0/state")[1]
own = {p["id"]: p["orchestration_payload_api"] for p in state["payloads"]}
server = "http://" + own[session]
call(server + "/api/v0/payload")
call(server + "/api/v0/session-manager/config")
call(server + "/api/v0/session-manager/status", "POST", {"phase": "lobby", "players": "0"})
call(base + f"/payloads/{session}/api/v0/metadata/label", "PUT", {"key": "mode", "value": "ffa"})
call(sessions)  # the cache still shows {}
call(base + "/emulator/v0/clock/advance", "POST", {"seconds": 12})
call(sessions)  # now clients see the status
call(sessions, auth=False)  # a 401
other = next(p for p in own if p != session)
call(base + "/api/v0/projects/local-project/allocations/"
     "00000000-0000-4000-8000-000000000001/reservations", "POST",
     {"selectors": [{"match_labels": {}}], "payload_metadata": {"labels": {"team": "red"}}})
call(base + "/emulator/v0/faults", "POST", {"api": "session-manager", "status": 503, "times": 1})
call(sessions, "POST", {})  # the fault answers
call(base + f"/emulator/v0/payloads/{session}/exit", "POST", {"code": 0})
call(base + "/emulator/v0/clock/advance", "POST", {"to": "next_timer"})
call(base + "/emulator/v0/state")  # reading: not recorded
cleared = call(base + "/emulator/v0/faults", "DELETE")[0]
reset = call(base + "/emulator/v0/reset", "POST", {})[0]
check(cleared == 200 and reset == 200,
      f"clearing faults and a reset answer 200 while recording ({cleared}, {reset})")
last_status, _ = call(sessions)
emulator.send_signal(signal.SIGKILL)  # a crash: every answered call is in the file
emulator.wait()

text = open(recorded).read()
check(SECRET not in text and "SECRET" not in text, "no credential is written")
check("${s1}" in text and "save: {\"s1\":\"id\"}" in text, "the session id is a saved variable")
check("emulator/v0/state" not in text, "reading the control API is not recorded")
check("  - fault.clear" in text and "  - emulator.reset" in text,
      "a parameterless control step (fault.clear, emulator.reset) is recorded")
steps = [l for l in text.splitlines() if l.startswith("  - ")]
check(len(steps) >= 15, f"every call is a step ({len(steps)} steps)")
check(steps[-1].startswith("  - client.list_sessions"),
      "the last answered call before the SIGKILL is in the file")
result = replay(recorded)
check(result.returncode == 0 and "1 passed" in result.stdout,
      "the recording replays: " + (result.stdout + result.stderr).strip()[-300:])

edited = os.path.join(work, "edited.yaml")
with open(edited, "w") as f:
    f.write(text.replace('"sessions[0].session_status.phase":"lobby"',
                         '"sessions[0].session_status.phase":"playing"', 1))
result = replay(edited)
report = result.stdout + result.stderr
check(result.returncode != 0 and "step 8 (client.list_sessions)" in report and
      'expected: sessions[0].session_status.phase = "playing"' in report and
      'actual:   sessions[0].session_status.phase = "lobby"' in report,
      "an edited expectation fails at its step with the usual report:\n" + report[:600])

# --- 2. The real clock ------------------------------------------------------
real = os.path.join(work, "real.yaml")
emulator, base, apis = start(real, "--clock", "real")
sessions = base + "/api/v0/projects/local-project/sessions?session_type=default"
status, created = call(sessions, "POST", {"session_config": "cfg"})
state = call(base + "/emulator/v0/state")[1]
server = "http://" + next(p["orchestration_payload_api"] for p in state["payloads"]
                          if p["id"] == created["id"])
call(server + "/api/v0/session-manager/status", "POST", {"phase": "lobby"})
call(server + "/api/v0/payload")
emulator.send_signal(signal.SIGTERM)
emulator.wait()
text = open(real).read()
check("real clock: time between calls is rounded to 100 ms" in text,
      "a real-clock recording says its time is rounded")
check('"created"' not in text and "T00:00" not in text, "and expects no wall-clock times")
result = replay(real)
check(result.returncode == 0, "the real-clock recording replays: " + result.stdout[-300:])

# --- 3. A real game server process --------------------------------------------
fixture = os.path.join(work, "fixture.json")
with open(fixture, "w") as f:
    json.dump({"projects": [{"id": "local-project", "allocations": [{
        "id": "arena", "annotations": {"session_type": "default"}, "buffer_size": 1,
        "max_payloads": 2, "auto_ready": False,
        "payload_spec": {"command": game_server,
                         "args": ["--port", "{port:GamePort}", "--poll-ms", "20",
                                  "--idle-timeout", "60"],
                         "env": {"GAME_REGION": "eu-local"},
                         "environment_variables": [{"name": "GAME_TOKEN", "value": "t0k3n"}],
                         "ports": [{"name": "GamePort", "container_port": 7777}]}}]}]}, f)
process = os.path.join(work, "process.yaml")
emulator, base, apis = start(process, "--clock", "virtual", "--fixture", fixture)
sessions = base + "/api/v0/projects/local-project/sessions?session_type=default"


def wait_for(predicate):
    """Waits on the journal (a long poll: no busy loop) until `predicate`."""
    after = 0
    for _ in range(100):
        if predicate():
            return True
        after = call(base + f"/emulator/v0/events?after={after}&wait=5")[1]["next_after"]
    return predicate()


def payload(payload_id):
    state = call(base + "/emulator/v0/state")[1]
    return next((p for p in state["payloads"] if p["id"] == payload_id), None)


first = call(base + "/emulator/v0/state")[1]["payloads"][0]["id"]
check(wait_for(lambda: payload(first)["status"]["state"] == "Ready"),
      "the game server calls ready over the Payload Local API")
# Idle and Ready, it polls every 20 ms: the recording counts its identical polls.
wait_for(lambda: re.search(r"^    times: ([5-9]|\d\d)", open(process).read(), re.M))
status, created = call(sessions, "POST", {"session_config": '{"max_players": 4, "map": "dust"}'})
check(status == 200, "a session on the real game server")
port = created["ports"][0]["port"]
check(wait_for(lambda: payload(created["id"])["session_status"].get("phase") == "lobby"),
      "the game server reads the config and sets its status")
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
    udp.settimeout(10)
    udp.sendto(b"join ada", ("127.0.0.1", port))
    udp.recvfrom(100)
    udp.sendto(b"leave ada", ("127.0.0.1", port))
    udp.recvfrom(100)
check(wait_for(lambda: (payload(created["id"]) or {"status": {"state": "Shutdown"}})
               ["status"]["state"] == "Shutdown"),
      "the match ends and the game server exits 0")
emulator.send_signal(signal.SIGTERM)
emulator.wait()
text = open(process).read()
check(game_server not in text and "eu-local" not in text and "t0k3n" not in text,
      "the recording replaces the process (command, args, env and environment_variables) by "
      "its calls")
check("server.ready" in text and "server.set_status" in text and "emulator.exit" in text,
      "what the process did over the Payload Local API, and its exit, are steps")
# The game server polls every 20 ms: its identical polls are one step each, with a count.
polls = sum(int(n) for n in re.findall(r"^    times: (\d+)", text, re.M))
steps = len(re.findall(r"^  - ", text, re.M))
check(polls >= 5 and steps < 40,
      f"identical polls are counted, not written again ({polls} polls in repeated steps, "
      f"{steps} steps in all)")
result = replay(process)
check(result.returncode == 0, "the real game server's recording replays without it: "
      + (result.stdout + result.stderr)[-600:])

shutil.rmtree(work, ignore_errors=True)
t.finish()
