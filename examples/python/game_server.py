#!/usr/bin/env python3
"""A minimal game server for IMS in Python, the standard library alone: what
docs/game-server.md asks of one, in order, and nothing else. It passes
`ims-emulator check -- python3 examples/python/game_server.py`.

1. Finds the Payload Local API in ORCHESTRATION_PAYLOAD_API (host:port, or
   host:port/payloads/ID: no scheme) and retries it until it answers.
2. Calls ready (retrying: ready is idempotent).
3. Polls Get Payload Details twice a second until it is Reserved.
4. Reads the session config once Reserved, parses it defensively (a player
   wrote it), and sets a small status of its own words: never the config's.
5. Leaves with exit code 0 on SIGTERM (IMS deletes the payload) and when
   its match is over.
"""
import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request

API = "http://" + os.environ["ORCHESTRATION_PAYLOAD_API"] + "/api/v0"
MAPS = {"docks", "dust", "harbour"}  # the maps this server has
stopping = False


def on_sigterm(signum, frame):
    global stopping
    stopping = True


def call(method, path, body=None):
    """One call; raises OSError (nothing answered) or HTTPError."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(API + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as answer:
        return json.load(answer)


def retry(method, path, body=None):
    """Retries until the API answers 2xx (it may come up after us, or fail
    for a while); gives up only when asked to stop."""
    delay = 0.1
    while not stopping:
        try:
            return call(method, path, body)
        except (OSError, ValueError) as e:
            print(f"{method} {path}: {e}; retrying in {delay:.1f} s", flush=True)
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
    return None


def settings_from(config):
    """The match settings from a session config, whatever a player sent:
    anything unexpected falls back to a default."""
    try:
        parsed = json.loads(config) if config else {}
    except (ValueError, RecursionError):
        parsed = {}
    if not isinstance(parsed, dict):
        parsed = {}
    game_map = parsed.get("map")
    players = parsed.get("max_players")
    return {
        "map": game_map if isinstance(game_map, str) and game_map in MAPS else "docks",
        "max_players": players if isinstance(players, int) and 1 <= players <= 64 else 8,
    }


def main():
    signal.signal(signal.SIGTERM, on_sigterm)
    retry("GET", "/payload")
    retry("POST", "/ready", {})
    print("ready", flush=True)
    while not stopping:
        payload = retry("GET", "/payload")
        if payload and payload["result"]["status"]["state"] == "Reserved":
            break
        time.sleep(0.5)
    if not stopping:
        config = (retry("GET", "/session-manager/config") or {}).get("config", "")
        settings = settings_from(config)
        # Status values are strings; a map of a few short keys, set now and then.
        retry("POST", "/session-manager/status",
              {"phase": "lobby", "map": settings["map"], "max_players": str(settings["max_players"])})
        print(f"session: {settings}", flush=True)
    while not stopping:  # the match would run here
        time.sleep(0.1)
    print("SIGTERM: leaving", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
