"""What the container tests share: podman with the project's configuration
(containers/containers.conf), an emulator started from its real binary, and
HTTP on loopback."""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
os.environ.setdefault("CONTAINERS_CONF", os.path.join(REPO, "containers", "containers.conf"))


def podman(*args, check=True, timeout=120):
    """Runs podman; returns its stdout (raises, with stderr, when it fails and `check`)."""
    r = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"podman {' '.join(args)}: exit {r.returncode}: {r.stderr.strip()}")
    return r


def containers_named(prefix):
    """Names of every container (running or not) whose name starts with `prefix`."""
    out = podman("ps", "--all", "--filter", f"name=^{prefix}", "--format", "{{.Names}}").stdout
    return [n for n in out.split() if n.startswith(prefix)]


def http(url, method="GET", body=None, headers=None, timeout=10):
    """(status, parsed JSON or text) of one request; status 0 when nothing answered."""
    data = None if body is None else body.encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, raw = r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, None
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw


def wait_until(what, predicate, limit=60, every=0.1):
    """Polls `predicate` in real time (containers run at their own pace) up
    to `limit` seconds; returns its last value."""
    end = time.monotonic() + limit
    value = predicate()
    while not value and time.monotonic() < end:
        time.sleep(every)
        value = predicate()
    if not value:
        print(f"gave up after {limit} s waiting for {what}", flush=True)
    return value


class Emulator:
    """`ims-emulator serve ARGS --port 0` from the real binary, on loopback."""

    def __init__(self, binary, args, cwd=REPO):
        self.output = tempfile.NamedTemporaryFile("w+", prefix="imsemu-containers-", suffix=".log")
        self.proc = subprocess.Popen([binary, "serve", "--port", "0", *args], cwd=cwd,
                                     stdout=self.output, stderr=subprocess.STDOUT, text=True)
        wait_until("the emulator's start-up lines",
                   lambda: "\nclock:" in self.text() or self.proc.poll() is not None, limit=30)
        m = re.search(r"ims-emulator listening on (http://\S+)", self.text())
        if m is None:
            self.stop()
            raise RuntimeError("the emulator did not start:\n" + self.text())
        self.url = m.group(1)

    def text(self):
        """Everything it printed so far."""
        with open(self.output.name) as f:
            return f.read()

    @property
    def container_prefix(self):
        """The name every container of this emulator's payloads starts with."""
        return f"ims-emulator-{self.proc.pid}-"

    def state(self):
        return http(self.url + "/emulator/v0/state")[1]

    def payloads_in(self, state):
        return [p for p in self.state()["payloads"] if p["status"]["state"] == state]

    def stop(self, sig=None, timeout=60):
        if self.proc.poll() is None:
            if sig is None:
                self.proc.terminate()
            else:
                self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.text()
