#!/usr/bin/env python3
"""compose.yaml as a studio runs it, with podman-compose: the emulator, the
example game server and the example client's match, each in a container,
reaching each other by service name; the match is played.

Usage: compose_test.py
"""
import os
import subprocess
import tempfile

from podman import REPO, podman
from testlib import Checks

checks = Checks("containers/compose")
project = f"imsemu-compose-{os.getpid()}"
# IMSEMU_PORT empty: the emulator is published on any free port, never 9350.
env = dict(os.environ, IMSEMU_PORT="")


def compose(*args, timeout=300):
    """Runs podman-compose; its output goes to a file, not a pipe: `up` leaves
    the emulator's `podman start -a` running, which would hold a pipe open."""
    with tempfile.TemporaryFile("w+") as out:
        r = subprocess.run(["podman-compose", "-p", project, *args], cwd=REPO, env=env,
                           stdout=out, stderr=subprocess.STDOUT, text=True, timeout=timeout)
        out.seek(0)
        return r.returncode, out.read()


try:
    code, out = compose("up", "--abort-on-container-exit", "--exit-code-from", "match")
    checks.check(code == 0, "the match service exits 0", out[-3000:])
    checks.check("session sslw4-6ddev on game-server:30000" in out,
                 "the client is handed the game server by its service name", out[-3000:])
    checks.check("[game-server] reserved: map docks" in out and "welcome alice" in out
                 and "[game-server] match over" in out,
                 "the game server, reached as emulator:9350/payloads/ID, plays the match",
                 out[-3000:])
finally:
    compose("down", timeout=120)
left = podman("ps", "--all", "--filter", f"label=io.podman.compose.project={project}",
              "--format", "{{.Names}}").stdout.strip()
checks.check(left == "", "compose down leaves no container", left)
podman("network", "rm", "--force", f"{project}_default", check=False)

checks.finish(at_least=4)
