"""ImsEmulator: one ims-emulator, started as a process (`serve` on a free
loopback port, virtual clock) or attached to at IMS_EMULATOR_URL, driven
through its control API: reset, the virtual clock, faults, snapshots, the
journal, and waits that move the virtual clock instead of sleeping."""
import collections
import os
import shutil
import subprocess
import threading
import time
from datetime import datetime

from .clients import Orchestration, PayloadApi, SessionManager
from .http import call, quote

_BANNER = "ims-emulator listening on "


class WaitTimeout(AssertionError):
    """A wait that did not see what it waited for. Its text names what was
    awaited, how far the virtual clock moved, the world at the end and the
    newest journal lines."""


def _unix_ms(rfc3339):
    return int(datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp() * 1000)


def describe_event(e):
    """One journal event as a line a person reads."""
    parts = [f"#{e['seq']}", e["time"], e["kind"]]
    if e.get("payload_id"):
        parts.append(e["payload_id"])
    if e.get("old_state") and e.get("new_state"):
        parts.append(f"{e['old_state']}->{e['new_state']}")
    elif e.get("new_state"):
        parts.append(e["new_state"])
    if e.get("detail"):
        parts.append(e["detail"])
    if e.get("level", "info") != "info":
        parts.append(f"[{e['level']}]")
    return " ".join(parts)


class ImsEmulator:
    """An emulator and its control API. Use ImsEmulator.start(),
    ImsEmulator.attach() or ImsEmulator.from_environment(); stop() (or a
    `with` block) ends a started one."""

    def __init__(self, base_url, process=None, output=None):
        self.base_url = base_url.rstrip("/")
        self._process = process
        self._output = output if output is not None else collections.deque(maxlen=200)

    # --- Starting and stopping -------------------------------------------

    @classmethod
    def start(cls, binary=None, fixture=None, args=(), cwd=None, timeout=60):
        """Starts `ims-emulator serve` on a free port of 127.0.0.1 with the
        virtual clock. `binary`: a path, else $IMS_EMULATOR_BINARY, else
        `ims-emulator` on PATH. `fixture`: a world file (the built-in one
        when None). `args`: more serve flags (for example
        ["--status-cache", "delay"])."""
        binary = binary or os.environ.get("IMS_EMULATOR_BINARY") or shutil.which("ims-emulator")
        if not binary or not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
            raise FileNotFoundError(
                f"cannot start ims-emulator: {binary or 'ims-emulator is not on PATH'}"
                + (" is not an executable file" if binary else "")
                + " (set IMS_EMULATOR_BINARY to its path, or IMS_EMULATOR_URL to attach)")
        command = [binary, "serve", "--host", "127.0.0.1", "--port", "0", "--clock", "virtual",
                   "--log-level", "warn"]
        if fixture:
            command += ["--fixture", fixture]
        command += list(args)
        process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   errors="replace")
        output = collections.deque(maxlen=200)
        started = threading.Event()
        url = []

        def read():
            for line in process.stdout:
                output.append(line.rstrip("\n"))
                if not url and line.startswith(_BANNER):
                    url.append(line[len(_BANNER):].strip())
                    started.set()
            started.set()

        threading.Thread(target=read, daemon=True).start()
        if not started.wait(timeout) or not url:
            process.kill()
            process.wait()
            raise RuntimeError(f"ims-emulator did not start ({' '.join(command)}):\n"
                               + "\n".join(output))
        return cls(url[0], process, output)

    @classmethod
    def attach(cls, url=None):
        """The emulator at `url` (else $IMS_EMULATOR_URL), already running:
        `ims-emulator exec -- pytest` or a container. stop() leaves it be."""
        url = url or os.environ.get("IMS_EMULATOR_URL")
        if not url:
            raise ValueError("attach: no url given and IMS_EMULATOR_URL is not set")
        emulator = cls(url)
        try:
            emulator.health()
        except OSError as e:
            raise ConnectionError(f"no ims-emulator answers at {url}: {e}") from None
        return emulator

    @classmethod
    def from_environment(cls, **start_options):
        """attach() when IMS_EMULATOR_URL is set, else start(**start_options)."""
        if os.environ.get("IMS_EMULATOR_URL"):
            return cls.attach()
        return cls.start(**start_options)

    @property
    def attached(self):
        return self._process is None

    def output(self):
        """The started emulator's newest output lines (its logs)."""
        return list(self._output)

    def stop(self):
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # --- The world -------------------------------------------------------

    def _control(self, method, path, body=None, query=None):
        return call(self.base_url, method, "/emulator/v0" + path, body, query)

    def health(self):
        return self._control("GET", "/health")

    def state(self):
        """The whole world: clock, projects, allocations, payloads, sessions."""
        return self._control("GET", "/state")

    def clock(self):
        return self._control("GET", "/clock")

    def reset(self):
        """The world its fixture makes, afresh (the clock goes on from where
        it is; new payloads get new ids). Faults are cleared apart:
        clear_faults()."""
        self._control("POST", "/reset")

    @property
    def project(self):
        """$IMS_EMULATOR_PROJECT, else the world's first project."""
        return os.environ.get("IMS_EMULATOR_PROJECT") or sorted(self.state()["projects"])[0]

    @property
    def session_type(self):
        """$IMS_EMULATOR_SESSION_TYPE, else the session_type of the first
        project's first allocation that has one."""
        if os.environ.get("IMS_EMULATOR_SESSION_TYPE"):
            return os.environ["IMS_EMULATOR_SESSION_TYPE"]
        project = self.project
        for a in self.state()["allocations"]:
            if a["project_id"] == project and a["annotations"].get("session_type"):
                return a["annotations"]["session_type"]
        raise LookupError(f"no allocation of project {project} has a session_type")

    def payload_ids(self, state=None):
        """Every payload's id, oldest first (or those in `state`: "Ready", ...)."""
        return [p["id"] for p in self.state()["payloads"]
                if state is None or p["status"]["state"] == state]

    def payload_api_of(self, payload_id):
        """The payload's ORCHESTRATION_PAYLOAD_API (host:port, no scheme)."""
        for p in self.state()["payloads"]:
            if p["id"] == payload_id:
                return p["orchestration_payload_api"]
        raise LookupError(f"no payload {payload_id}")

    # --- Clients ---------------------------------------------------------

    def session_manager(self, project=None, token="playfab/local-player"):
        """A game client's Session Manager for `project` (default: project)."""
        return SessionManager(self.base_url, project or self.project, token)

    def payload(self, payload_id):
        """A game server's Payload Local API for `payload_id`."""
        return PayloadApi(self.payload_api_of(payload_id))

    def orchestration(self, project=None):
        return Orchestration(self.base_url, project or self.project)

    # --- The virtual clock -----------------------------------------------

    def advance(self, seconds):
        """Moves the virtual clock, applying everything due on the way."""
        return self._control("POST", "/clock/advance", {"seconds": seconds})

    def advance_to_next_timer(self):
        """Moves the clock to the next armed deadline (409 when none is)."""
        return self._control("POST", "/clock/advance", {"to": "next_timer"})

    def advance_past_status_cache(self):
        """Moves the clock just far enough that List Sessions shows every
        status set before (the Session Manager's cache, up to 12 s)."""
        state = self.state()
        now = state["clock"]["unix_ms"]
        due = [_unix_ms(s["clients_see_latest_at"]) for s in state["sessions"]
               if s.get("clients_see_latest_at")]
        if due and max(due) > now:
            return self.advance((max(due) - now) / 1000.0)
        return state["clock"]

    # --- Faults, snapshots, what the game servers did ---------------------

    def add_fault(self, status=None, api="any", method=None, path=None, delay_ms=None,
                  times=None, probability=None, message=None):
        """Answers matching calls with `status` (and/or after `delay_ms`):
        api is "any", "payload-local", "session-manager" or "orchestration"."""
        spec = {"api": api, "status": status, "method": method, "path": path,
                "delay_ms": delay_ms, "times": times, "probability": probability,
                "message": message}
        return self._control("POST", "/faults", {k: v for k, v in spec.items() if v is not None})[
            "result"]

    def faults(self):
        return self._control("GET", "/faults")["faults"]

    def clear_faults(self):
        self._control("DELETE", "/faults")

    def take_payload_api_down(self, payload_id, seconds):
        """The payload's Payload Local API stops answering for `seconds`."""
        self._control("POST", f"/payloads/{quote(payload_id)}/api-down", {"seconds": seconds})

    def exit_payload(self, payload_id, code=0):
        """The payload's game server exits with `code`, as a process would."""
        return self._control("POST", f"/payloads/{quote(payload_id)}/exit", {"code": code})

    def force_state(self, payload_id, state):
        return self._control("PUT", f"/payloads/{quote(payload_id)}/state", {"state": state})

    def peek_session_config(self, payload_id):
        """The session config the payload holds (None without a session)."""
        return self._control("GET", f"/payloads/{quote(payload_id)}/session-config").get("config")

    def take_snapshot(self, name):
        return self._control("POST", f"/snapshots/{quote(name)}")

    def restore_snapshot(self, name):
        return self._control("POST", f"/snapshots/{quote(name)}/restore")

    def export(self):
        """The whole world as a snapshot file's JSON (serve --import takes it)."""
        return self._control("GET", "/export")

    def events(self, after=None, last=None, limit=None):
        """The journal: every change, in order, as dicts."""
        return self._control("GET", "/events",
                             query={"after": after, "last": last, "limit": limit})["events"]

    def journal(self, last=40):
        """The newest `last` journal events, one line each."""
        return "\n".join(describe_event(e) for e in self.events(last=last))

    # --- Waits -----------------------------------------------------------

    def wait_until(self, what, done, virtual_seconds=600, real_seconds=30, poll_seconds=0.005):
        """Waits until done(state) holds and returns that state. Under the
        virtual clock it moves the clock to each next armed deadline (a
        timer, a status-cache refresh), at most `virtual_seconds` in all;
        when nothing is armed (a real game server on its way) it polls, at
        most `real_seconds` of real time. Raises WaitTimeout naming `what`."""
        start_ms = None
        began = time.monotonic()
        while True:
            state = self.state()
            if done(state):
                return state
            clock = state["clock"]
            if start_ms is None:
                start_ms = clock["unix_ms"]
            next_timer = clock.get("next_timer") if clock["mode"] == "virtual" else None
            if next_timer and _unix_ms(next_timer) - start_ms <= virtual_seconds * 1000:
                self.advance_to_next_timer()
                continue
            if time.monotonic() - began >= real_seconds:
                moved = clock["unix_ms"] - start_ms
                if next_timer:
                    why = (f"its next deadline ({next_timer}) is past the wait's "
                           f"{virtual_seconds} s")
                else:
                    why = f"then nothing was armed for {real_seconds} s of real time"
                raise WaitTimeout(f"waited in vain for {what}: the virtual clock moved {moved} ms, "
                                  f"{why}\nat the end: {self._describe(state)}\n"
                                  f"the journal's newest events:\n{self.journal()}")
            time.sleep(poll_seconds)

    def wait_for_payload_state(self, payload_id, state, **limits):
        """Waits until the payload is in `state` ("Ready", "Reserved", ...)."""
        return self.wait_until(
            f"payload {payload_id} to be {state}",
            lambda w: any(p["id"] == payload_id and p["status"]["state"] == state
                          for p in w["payloads"]), **limits)

    def wait_for_clients_to_see(self, session_id, key, value, **limits):
        """Waits until game clients see key=value in the session's status in
        List Sessions (past the status cache)."""
        return self.wait_until(
            f"clients to see {key}={value} in session {session_id}",
            lambda w: any(s["id"] == session_id and s["clients_see"].get(key) == value
                          for s in w["sessions"]), **limits)

    @staticmethod
    def _describe(state):
        payloads = ", ".join(f"{p['id']} {p['status']['state']}" for p in state["payloads"])
        sessions = ", ".join(
            f"{s['id']} server set {s['session_status']}, clients see {s['clients_see']}"
            for s in state["sessions"])
        return (f"clock {state['clock']['now']}; payloads: {payloads or 'none'}; "
                f"sessions: {sessions or 'none'}")
