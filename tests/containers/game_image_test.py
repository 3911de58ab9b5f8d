#!/usr/bin/env python3
"""Game servers as images (payload_spec.image), through the real binary and
podman: the example game server's image plays a match with the example
client, its output is the payload's log, its exit codes feed IMS's exit
semantics, removal is SIGTERM, and no container outlives the emulator
however it ends (Ctrl-C, SIGTERM, SIGKILL).

Usage: game_image_test.py EMULATOR CLIENT HELPER
(HELPER: tests/process/game_server_helper, made an image here to play a game
server that ignores SIGTERM.)
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

from podman import REPO, Emulator, containers_named, http, podman, wait_until
from testlib import Checks

emulator_binary, client_binary, helper_binary = map(os.path.abspath, sys.argv[1:4])
FIXTURE = os.path.join(REPO, "fixtures", "example-game-image.json")
IMAGE = "localhost/ims-example-game-server:latest"
checks = Checks("containers/game-image")
folder = tempfile.mkdtemp(prefix="imsemu-game-image-")


def fixture_with(payload_spec, buffer_size=1):
    """A fixture file of one allocation running `payload_spec`."""
    path = os.path.join(folder, f"fixture-{len(os.listdir(folder))}.json")
    with open(path, "w") as f:
        json.dump({"projects": [{"id": "local-project", "allocations": [
            {"name": "game", "annotations": {"session_type": "default"},
             "buffer_size": buffer_size, "max_payloads": 4, "payload_spec": payload_spec}]}]}, f)
    return path


def helper_image():
    """localhost/ims-test-game-server-helper: the helper binary and the
    libraries it loads, as scripts/image.sh stages an image."""
    context = tempfile.mkdtemp(prefix="imsemu-helper-image-")
    root = os.path.join(context, "rootfs")
    os.makedirs(os.path.join(root, "usr", "bin"))
    shutil.copy(helper_binary, os.path.join(root, "usr", "bin", "helper"))
    libs = subprocess.run(["ldd", helper_binary], capture_output=True, text=True).stdout
    for lib in re.findall(r"(?:=> )?(/\S+) \(0x", libs):
        os.makedirs(root + os.path.dirname(lib), exist_ok=True)
        shutil.copy(lib, root + lib)  # follows the symlink
    with open(os.path.join(context, "Containerfile"), "w") as f:
        f.write("FROM scratch\nCOPY rootfs/ /\nENTRYPOINT [\"/usr/bin/helper\"]\n")
    podman("build", "--quiet", "-t", "localhost/ims-test-game-server-helper:latest", context)
    return "localhost/ims-test-game-server-helper:latest"


def client(e, *args):
    return subprocess.run([client_binary, "--url", e.url, *args], capture_output=True, text=True,
                          timeout=60)


def log_of(e, payload):
    """A payload's log file, where the start-up lines say logs go (it stays
    after the payload is gone)."""
    folder = re.search(r"logs: (\S+)/<payload id>\.log", e.text()).group(1)
    try:
        with open(os.path.join(folder, payload + ".log")) as f:
            return f.read()
    except OSError:
        return ""


def ready_count(e):
    return len(e.payloads_in("Ready"))


def exits_in_journal(e):
    events = http(e.url + "/emulator/v0/events")[1]["events"]
    return [ev for ev in events if "exit" in ev]


# --- A match against the image, as IMS would run it.
e = Emulator(emulator_binary, ["--fixture", FIXTURE])
try:
    checks.check(wait_until("two Ready payloads", lambda: ready_count(e) == 2),
                 "both containers call ready through ORCHESTRATION_PAYLOAD_API", e.state())
    running = containers_named(e.container_prefix)
    checks.check(len(running) == 2, "one container per payload, named after it", running)
    ports = podman("ps", "--filter", f"name=^{e.container_prefix}", "--format",
                   "{{.Ports}}").stdout
    game_ports = sorted(p["status"]["ports"][0]["port"] for p in e.payloads_in("Ready"))
    checks.check(all(f"127.0.0.1:{port}->7777/udp" in ports for port in game_ports),
                 "each GamePort handed out is published to the container's 7777/udp",
                 f"{game_ports} vs {ports}")

    created = client(e, "create", "--config", '{"map": "docks", "max_players": 4}')
    session = json.loads(created.stdout) if created.returncode == 0 else {}
    checks.check(created.returncode == 0 and session.get("ports"),
                 "a client creates a session on a container", created.stdout + created.stderr)
    if session.get("ports"):
        joined = client(e, "join", "--address", session["address"], "--port",
                        str(session["ports"][0]["port"]), "--name", "alice", "--leave")
        payload = session["id"]
        gone = wait_until("the match's payload to leave",
                          lambda: all(p["id"] != payload for p in e.state()["payloads"]))
        text = log_of(e, payload)
        # The server's answer to the last leave races its container's exit
        # through podman's UDP forwarding (UDP: it may be lost on the way);
        # its log says it got the leave over the published port and answered.
        checks.check("welcome alice" in joined.stdout and
                     ("bye alice" in joined.stdout or "leave alice -> bye alice" in text),
                     "the client plays a match over the published UDP port",
                     joined.stdout + joined.stderr + text)
        checks.check(gone, "the server exits 0 after the match and its payload goes", e.state())
        checks.check("[game-server] reserved: map docks, up to 4 players" in text
                     and "--- exited: exit code 0" in text,
                     "the container's output is the payload's log, and its exit code", text)
        checks.check(f"--env EXAMPLE_PAYLOAD_ID={payload} " in text,
                     "env placeholders are expanded for the container", text[:600])
        checks.check(wait_until("a refill", lambda: ready_count(e) == 2),
                     "the buffer refills with a new container", e.state())

    # Removal is SIGTERM, passed to the container by the runtime.
    victim = e.payloads_in("Ready")[0]["id"]
    status, _ = http(f"{e.url}/api/v0/projects/local-project/allocations/"
                     f"00000000-0000-4000-8000-00000000e8a2/payloads/{victim}", "DELETE")
    checks.check(status == 200, "a Ready payload is deleted", status)
    leaving = wait_until("the removed server's SIGTERM line",
                         lambda: "SIGTERM while Ready: leaving" in log_of(e, victim))
    checks.check(leaving, "its game server got SIGTERM inside the container")
finally:
    out = e.stop(signal.SIGTERM)
checks.check(containers_named(e.container_prefix) == [], "none is left after a clean stop", out)

# --- Exit codes: the container's, as IMS's exit semantics take them.
direct = podman("run", "--rm", "--pull=never", IMAGE, "--no-such-flag", check=False)
e = Emulator(emulator_binary, ["--fixture", fixture_with({"image": IMAGE,
                                                          "args": ["--no-such-flag"]})])
try:
    seen = wait_until("an exit before ready", lambda: exits_in_journal(e))
    exit_event = seen[0] if seen else {}
    checks.check(direct.returncode != 0
                 and exit_event.get("exit", {}).get("code") == direct.returncode
                 and exit_event.get("new_state") == "Error",
                 f"a container exiting {direct.returncode} before Ready puts its payload in Error",
                 exit_event)
finally:
    e.stop()

# An image that is not there: serve refuses the fixture before it listens,
# naming the field and the image, as check does (it would only log "cannot
# start" for ever).
r = subprocess.run([emulator_binary, "serve", "--port", "0", "--fixture",
                    fixture_with({"image": "localhost/ims-no-such:1"})],
                   capture_output=True, text=True, timeout=120)
checks.check(r.returncode == 2 and "payload_spec.image: cannot run the image "
             "'localhost/ims-no-such:1' with podman" in r.stderr and "listening" not in r.stdout,
             "serve refuses an image the runtime does not have, before it listens",
             r.stdout + r.stderr)

# --- A server that ignores SIGTERM is killed after --kill-grace, and its
# container goes; `check` fails it, saying why a container's server must
# handle SIGTERM.
helper = helper_image()
deaf = fixture_with({"image": helper, "args": ["--ready", "--ignore-term"]})
r = subprocess.run([emulator_binary, "check", "--fixture", deaf, "--only", "exits-on-sigterm"],
                   capture_output=True, text=True, timeout=120)
checks.check(r.returncode == 1 and "FAIL exits-on-sigterm" in r.stdout
             and "PID 1, which SIGTERM does not end" in r.stdout,
             "check fails a container deaf to SIGTERM, saying it is PID 1", r.stdout + r.stderr)
e = Emulator(emulator_binary, ["--kill-grace", "1", "--fixture", deaf])
try:
    ready = wait_until("a Ready helper", lambda: e.payloads_in("Ready"))
    victim = ready[0]["id"] if ready else ""
    allocation = ready[0]["allocation_id"] if ready else ""
    http(f"{e.url}/api/v0/projects/local-project/allocations/{allocation}/payloads/{victim}",
         "DELETE")
    killed = wait_until("the helper's end",
                        lambda: "--- exited: signal 9 (SIGKILL)" in log_of(e, victim))
    checks.check(killed and "SIGTERM ignored" in log_of(e, victim),
                 "a container ignoring SIGTERM is killed after --kill-grace", log_of(e, victim))
    checks.check(wait_until("its container to go", lambda: not any(
        n.endswith(victim) for n in containers_named(e.container_prefix)), limit=30),
                 "...and its container is removed", containers_named(e.container_prefix))
finally:
    e.stop()

# --- payload_spec.resources.memory is the container's --memory: a server
# past it is OOM-killed by the kernel and ends as IMS ends it. (Run from the
# temporary folder: podman's conmon writes an empty `oom` file into its
# caller's folder when it sees the OOM kill, which landed in the repository.)
e = Emulator(emulator_binary, ["--fixture", fixture_with({
    "image": helper, "args": ["--ready", "--grow", "96"],
    "resources": {"memory": "48Mi", "cpu": "0.5"}})], cwd=folder)
try:
    seen = wait_until("an out-of-memory exit", lambda: exits_in_journal(e))
    exit_event = seen[0] if seen else {}
    payload = exit_event.get("payload_id", "")
    checks.check(exit_event.get("exit", {}).get("how") == "out-of-memory"
                 and exit_event.get("new_state") == "Unhealthy"
                 and "--memory 50331648" in log_of(e, payload)
                 and "--cpus 0.5" in log_of(e, payload)
                 and "grown 96 MB" not in log_of(e, payload),
                 "a container past resources.memory is OOM-killed: out-of-memory, Unhealthy",
                 f"{exit_event}\n{log_of(e, payload)[:1500]}")
finally:
    e.stop()
checks.check(not os.path.exists(os.path.join(REPO, "oom")),
             "nothing is left in the repository", os.listdir(folder))

# --- check names an image that is not there before any case runs.
r = subprocess.run([emulator_binary, "check", "--fixture",
                    fixture_with({"image": "localhost/ims-no-such:1"})],
                   capture_output=True, text=True, timeout=120)
checks.check(r.returncode == 2 and "cannot run the image 'localhost/ims-no-such:1' with podman"
             in r.stderr and "build or pull it first" in r.stderr and "PASS" not in r.stdout,
             "check refuses an image the runtime does not have, up front", r.stdout + r.stderr)

# --- No container outlives the emulator, however it ends.
for how, sig in (("Ctrl-C", signal.SIGINT), ("SIGTERM", signal.SIGTERM),
                 ("SIGKILL", signal.SIGKILL)):
    e = Emulator(emulator_binary, ["--fixture", FIXTURE, "--kill-grace", "1"])
    try:
        up = wait_until("two containers", lambda: len(containers_named(e.container_prefix)) == 2
                        and ready_count(e) == 2)
    finally:
        e.stop(sig)
    left = wait_until("the containers to go",
                      lambda: containers_named(e.container_prefix) == [], limit=30)
    checks.check(up and left, f"{how}: no container is left",
                 containers_named(e.container_prefix))
    for name in containers_named(e.container_prefix):  # the machine stays clean anyway
        podman("rm", "--force", "--time", "0", "--ignore", name, check=False)

checks.finish(at_least=16)
