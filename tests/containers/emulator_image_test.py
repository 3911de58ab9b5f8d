#!/usr/bin/env python3
"""The emulator's image (scripts/image.sh) as users run it with podman:
size, user, port, health through a published port, the dashboard, Host and
Origin protection inside a container, --allowed-host for a compose service
name, and --fixture from a mounted file.

Usage: emulator_image_test.py
"""
import json
import os
import tempfile
import time

from podman import http, podman, wait_until
from testlib import Checks

IMAGE = "localhost/ims-emulator:latest"
checks = Checks("containers/emulator-image")
prefix = f"imsemu-test-{os.getpid()}-"
started = []


def run(name, *args, volumes=()):
    """Starts the image detached, its 9350 published on a free loopback port;
    returns (base URL, seconds from `podman run` to the first health answer)."""
    mounts = [a for v in volumes for a in ("--volume", v)]
    began = time.monotonic()
    podman("run", "--detach", "--rm", "--name", prefix + name, "--publish", "127.0.0.1::9350",
           *mounts, IMAGE, *args)
    started.append(prefix + name)
    port = podman("port", prefix + name, "9350/tcp").stdout.strip().rsplit(":", 1)[1]
    url = f"http://127.0.0.1:{port}"
    healthy = wait_until("health", lambda: http(url + "/emulator/v0/health")[0] == 200, limit=30,
                         every=0.01)
    return url, (time.monotonic() - began if healthy else None)


try:
    info = json.loads(podman("image", "inspect", IMAGE).stdout)[0]
    size = info["Size"]
    checks.check(size <= 40_000_000, f"the image is at most 40 MB ({size / 1e6:.1f} MB)", size)
    config = info["Config"]
    checks.check(config.get("User") == "10001:10001", "it runs as a non-root user",
                 config.get("User"))
    checks.check("9350/tcp" in (config.get("ExposedPorts") or {}), "it exposes 9350",
                 config.get("ExposedPorts"))

    url, took = run("default")
    checks.check(took is not None, f"health answers through the published port ({took} s)")
    top = podman("top", prefix + "default", "user", "comm").stdout
    checks.check("ims" in top and "root" not in top, "its process is not root", top)
    status, page = http(url + "/")
    checks.check(status == 200 and isinstance(page, str) and "<html" in page.lower(),
                 "the dashboard is served through the published port", page)
    state = http(url + "/emulator/v0/state")[1]
    checks.check(len(state["payloads"]) == 2, "the built-in fixture by default", state)
    payload = state["payloads"][0]["id"]
    status, body = http(f"{url}/payloads/{payload}/api/v0/payload")
    checks.check(status == 200 and body["result"]["id"] == payload,
                 "a payload's Payload Local API answers under /payloads/{id} on the main port",
                 body)

    # Inside, it listens on 0.0.0.0 and keeps its Host and Origin checks.
    status, body = http(url + "/emulator/v0/state", headers={"Host": "evil.example"})
    checks.check(status == 403 and "--allowed-host" in body["message"],
                 "a foreign Host is refused (DNS rebinding), naming --allowed-host", body)
    status, body = http(url + "/emulator/v0/reset", "POST", "{}",
                        headers={"Origin": "http://evil.example"})
    checks.check(status == 403, "a foreign Origin may not change state", body)

    url2, _ = run("allowed", "serve", "--allowed-host", "emulator")
    status, _ = http(url2 + "/emulator/v0/state", headers={"Host": "emulator:9350"})
    checks.check(status == 200, "--allowed-host trusts a compose service name", status)
    status, _ = http(url + "/emulator/v0/state", headers={"Host": "emulator:9350"})
    checks.check(status == 403, "...which is refused without it", status)

    folder = tempfile.mkdtemp(prefix="imsemu-image-")
    fixture = {"projects": [{"id": "studio", "allocations": [
        {"name": "mounted", "annotations": {"session_type": "ranked"}, "buffer_size": 3}]}]}
    with open(os.path.join(folder, "world.json"), "w") as f:
        json.dump(fixture, f)
    os.chmod(folder, 0o755)
    url3, _ = run("fixture", "serve", "--fixture", "/fixtures/world.json",
                  volumes=[f"{folder}:/fixtures:ro"])
    state = http(url3 + "/emulator/v0/state")[1] if url3 else None
    checks.check(state is not None and state["projects"] == ["studio"]
                 and len(state["payloads"]) == 3,
                 "--fixture reads a mounted file", state)

    r = podman("run", "--rm", "--name", prefix + "missing", IMAGE, "serve", "--fixture",
               "/fixtures/none.json", check=False)
    checks.check(r.returncode == 2 and "/fixtures/none.json" in r.stderr,
                 "a fixture that is not there ends the container with a message naming it",
                 r.stdout + r.stderr)
finally:
    for name in started:
        podman("rm", "--force", "--time", "0", "--ignore", name, check=False)
    left = podman("ps", "--all", "--filter", f"name=^{prefix}", "--format", "{{.Names}}").stdout
    checks.check(left.strip() == "", "no test container is left", left)

checks.finish(at_least=14)
