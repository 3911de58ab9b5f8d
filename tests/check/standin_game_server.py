#!/usr/bin/env python3
"""A stand-in game server in Python for `ims-emulator check`'s mutation table:
well behaved by default, or broken in the one way a flag names, the way
servers written in Python, C#, Node or Java break (an exception is exit 1,
not a signal).

  standin_game_server.py [--no-retry | --early-config | --json-loads |
                          --echo-map | --null-status | --exit-1-on-term |
                          --leave-when-api-fails | --no-status-after-config |
                          --number-status | --key-error-on-map | --slow-leave]

Well behaved: retries ready every 100 ms, polls its payload every 200 ms until
Reserved, reads the session config, sets a small status, and exits 0 on
SIGTERM.
"""
import json
import signal
import sys
import time
import urllib.error
import urllib.request

flags = set(sys.argv[1:])
known = {"--no-retry", "--early-config", "--json-loads", "--echo-map", "--null-status",
         "--exit-1-on-term", "--leave-when-api-fails", "--status-before-session",
         "--number-status", "--key-error-on-map", "--slow-leave"}
if flags - known:
    sys.exit(f"unknown flag(s): {sorted(flags - known)}")
api = "http://" + __import__("os").environ["ORCHESTRATION_PAYLOAD_API"]
terminated = False


def on_term(signum, frame):
    global terminated
    if "--exit-1-on-term" in flags:
        raise RuntimeError("SIGTERM")  # an uncaught exception: exit 1
    terminated = True


signal.signal(signal.SIGTERM, signal.SIG_IGN if "--leave-when-api-fails" in flags else on_term)


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(api + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as answer:
        return json.loads(answer.read() or b"{}")


def say(line):
    print(line, flush=True)


def payload_state():
    """Its payload's state; with --leave-when-api-fails, leaves once the API is gone."""
    try:
        return call("GET", "/api/v0/payload")["result"]["status"]["state"]
    except (urllib.error.URLError, ConnectionError, OSError):
        if "--leave-when-api-fails" in flags:
            say("the Payload Local API is gone: leaving")
            sys.exit(1)
        return None


for attempt in range(1 if "--no-retry" in flags else 200):
    try:
        call("POST", "/api/v0/ready", {})
        break
    except (urllib.error.URLError, ConnectionError, OSError):
        if "--no-retry" in flags:
            say("ready failed: giving up")
            sys.exit(3)
        time.sleep(0.1)
say("ready")
if "--status-before-session" in flags:
    call("POST", "/api/v0/session-manager/status", {"phase": "waiting"})

if "--early-config" in flags:
    call("GET", "/api/v0/session-manager/config")
while not terminated:
    if payload_state() == "Reserved":
        break
    time.sleep(0.2)
if terminated:
    sys.exit(0)

text = call("GET", "/api/v0/session-manager/config").get("config", "")
status = {"phase": "lobby"}
if "--json-loads" in flags:
    config = json.loads(text)  # no try: a bad config is an uncaught exception
    status["players"] = str(len(config) if isinstance(config, (dict, list)) else 0)
if "--echo-map" in flags:
    try:
        config = json.loads(text)
        if isinstance(config, dict) and isinstance(config.get("map"), str):
            status["map"] = config["map"]  # a player's text, shown to every player
    except ValueError:
        pass
if "--null-status" in flags:
    status["winner"] = None
if "--key-error-on-map" in flags:
    try:
        config = json.loads(text)
    except ValueError:
        config = {}
    config = config if isinstance(config, dict) else {}
    status["map"] = {"docks": "docks"}.get(config["map"], "docks")  # KeyError: no map, exit 1
if "--number-status" in flags:
    status["players"] = 0  # a number: refused with a 400
if "--status-before-session" not in flags:
    try:
        call("POST", "/api/v0/session-manager/status", status)
    except urllib.error.HTTPError as e:
        if "--number-status" not in flags:
            raise
        say(f"status refused ({e.code}): carrying on")  # swallowed, as servers do
say("reserved: status set")

while not terminated:
    if "--leave-when-api-fails" in flags:
        payload_state()
    time.sleep(0.1)
if "--slow-leave" in flags:
    time.sleep(8)  # saves its match for 8 s: inside the grace period
sys.exit(0)
