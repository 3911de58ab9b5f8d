#!/usr/bin/env python3
"""The command line as users run it, through the real binary.

Usage: cli_test.py BINARY
Every check runs from a temporary folder, away from the repository, so the
built-in default fixture and fixture-relative commands are exercised.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap

from testlib import Checks

binary = os.path.abspath(sys.argv[1])
work = tempfile.mkdtemp(prefix="imsemu-cli-")
checks = Checks("cli")


def run(args, **kw):
    return subprocess.run([binary] + args, cwd=work, capture_output=True, text=True,
                          timeout=120, **kw)


r = run(["--version"])
checks.check(
    r.returncode == 0 and r.stdout.startswith("ims-emulator "),
    "--version",
    r.stdout + r.stderr)

r = run(["frobnicate"])
checks.check(
    r.returncode == 2 and "unknown command 'frobnicate'" in r.stderr,
    "unknown command is named",
    r.stderr)

r = run(["serve", "--help"])
checks.check("=9350" in r.stdout and "=127.0.0.1" in r.stdout, "--help shows defaults", r.stdout)

r = run(["exec", "--", "sh", "-c", "exit 3"])
checks.check(r.returncode == 3, "exec returns the command's exit code", r.stderr)

probe = textwrap.dedent("""
    import json, os, urllib.request
    url = os.environ["IMS_EMULATOR_URL"]
    state = json.load(urllib.request.urlopen(url + "/emulator/v0/state"))
    assert os.environ["IMS_EMULATOR_PROJECT"] == "local-project"
    assert os.environ["IMS_EMULATOR_SESSION_TYPE"] == "default"
    assert len(os.environ["IMS_EMULATOR_PAYLOAD_APIS"].split()) == len(state["payloads"]) == 2
    payload = json.load(urllib.request.urlopen(
        "http://" + os.environ["ORCHESTRATION_PAYLOAD_API"] + "/api/v0/payload"))
    assert payload["result"]["status"]["state"] == "Ready"
""")
r = run(["exec", "--", sys.executable, "-c", probe])
checks.check(
    r.returncode == 0,
    "exec: the command reaches the emulator (built-in fixture) through its environment",
    r.stdout + r.stderr)

def trace_format_errors(doc):
    """Checks a Chrome trace against the Trace Event Format (the JSON Object
    Format: traceEvents, and per phase the fields a viewer needs). No viewer
    that parses it is packaged for this machine (Chromium dropped
    chrome://tracing; Perfetto is not packaged): this is the schema check."""
    errors = []
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        return ["the top level is not {\"traceEvents\": [...]}"]
    if doc.get("displayTimeUnit", "ms") not in ("ms", "ns"):
        errors.append("displayTimeUnit is not ms or ns")
    for n, e in enumerate(doc["traceEvents"]):
        where = f"traceEvents[{n}]"
        number = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0
        if not isinstance(e, dict) or e.get("ph") not in ("X", "i", "I", "M", "B", "E", "C"):
            errors.append(f"{where}: no known ph")
            continue
        if not isinstance(e.get("name"), str) or not isinstance(e.get("pid"), int):
            errors.append(f"{where}: name and pid are required")
        if "args" in e and not isinstance(e["args"], dict):
            errors.append(f"{where}: args is not an object")
        if "cat" in e and not isinstance(e["cat"], str):
            errors.append(f"{where}: cat is not a string")
        if e["ph"] == "M":
            if e.get("name") not in ("process_name", "thread_name", "process_sort_index",
                                     "thread_sort_index", "process_labels"):
                errors.append(f"{where}: unknown metadata event {e.get('name')}")
            elif not isinstance(e.get("args", {}).get("name", e.get("args", {}).get("sort_index")),
                                (str, int)):
                errors.append(f"{where}: metadata without args.name")
            continue
        if not number(e.get("ts")) or not isinstance(e.get("tid"), int):
            errors.append(f"{where}: ts (microseconds, >= 0) and tid are required")
        if e["ph"] == "X" and not number(e.get("dur")):
            errors.append(f"{where}: a complete event needs dur >= 0")
        if e["ph"] in ("i", "I") and e.get("s", "t") not in ("g", "p", "t"):
            errors.append(f"{where}: an instant's scope s is g, p or t")
    return errors


# rehearse: a plan through the real binary; the JSON to standard output is
# the same bytes every run.
plan = os.path.join(work, "plan.yaml")
with open(plan, "w") as f:
    f.write(textwrap.dedent("""\
        name: cli
        duration: 1h
        allocation: {session_type: ranked, buffer_size: 2, max_payloads: 50}
        demand:
          arrivals: {poisson: {per_minute: 4}}
          match_length: {exponential: {mean: 3m}}
        sweep: {buffer_size: [0, 8]}
        """))
first = run(["rehearse", plan, "--json", "-", "--target", "refused_fraction<0.5"])
second = run(["rehearse", plan, "--json", "-", "--target", "refused_fraction<0.5", "--jobs", "1"])
try:
    report = json.loads(first.stdout)
except ValueError:
    report = {}
checks.check(
    first.returncode == 0 and first.stdout == second.stdout and report.get("cheapest") == 1 and
        "rehearse: cli: 2 settings" in first.stderr and "cheapest meeting" in first.stderr,
    "rehearse: JSON on standard output, the same bytes on one core as on two, the table and "
    "progress on standard error",
    first.stdout[:500] + first.stderr + second.stderr)
r = run(["rehearse", plan, "--target", "refused_fraction<0"])
checks.check(r.returncode == 1 and "no setting meets the target" in r.stdout,
             "rehearse: no setting meets the target is exit 1", r.stdout + r.stderr)
r = run(["rehearse", os.path.join(work, "no-plan.yaml")])
checks.check(r.returncode == 2 and "no-plan.yaml" in r.stderr,
             "rehearse: a missing plan is exit 2, named", r.stderr)
r = run(["rehearse", plan, "--target", "rollout_refused<1"])
checks.check(r.returncode == 2 and "ships no new build" in r.stderr and "rollout_refused" in r.stderr,
             "rehearse: a rollout target on a plan without rollouts is exit 2, not a pass",
             r.stdout + r.stderr)
shipping = os.path.join(work, "shipping.yaml")
with open(shipping, "w") as f:
    f.write(textwrap.dedent("""\
        name: shipping
        duration: 2h
        allocation: {session_type: ranked, buffer_size: 4, max_payloads: 4}
        demand:
          arrivals: {poisson: {per_minute: 0.3}}
          match_length: {fixed: 5m}
        servers: {ready_after: {fixed: 30s}}
        rollouts: [{at: 30m, ready_after: {fixed: 40m}}]
        """))
r = run(["rehearse", shipping, "--json", "-", "--target", "rollout_refused<1", "--quiet"])
try:
    rollout = json.loads(r.stdout)["results"][0]["rollouts"][0]
except (ValueError, KeyError, IndexError):
    rollout = {}
checks.check(r.returncode == 1 and rollout.get("at_s") == 1800 and rollout.get("refused", 0) > 0
             and "refused in rollouts" in r.stderr,
             "rehearse: a slow new build at the ceiling refuses players during its rollout; the "
             "report and the table say how many, and a target on it is judged",
             r.stdout[:1500] + r.stderr)

r = run(["rehearse", plan, "--qiet"])
checks.check(r.returncode == 2 and "--quiet" in r.stderr,
             "rehearse: a mistyped flag is named with the one meant", r.stderr)

# lint: findings and exit codes through the real binary.
shared = os.path.join(work, "shared.json")
with open(shared, "w") as f:
    json.dump({"projects": [{"id": "p", "allocations": [
        {"name": "a", "annotations": {"session_type": "arena"}, "max_payloads": 10},
        {"name": "b", "annotations": {"session_type": "arena"}}]}]}, f)
r = run(["lint", shared, os.path.join(os.path.dirname(__file__), "..", "fixtures", "default.json")])
checks.check(
    r.returncode == 1 and
        "shared.json: projects[0].allocations[1] (b): serves session_type=arena" in r.stdout and
        "max_payloads is 100000 (the default: none set)" in r.stdout and
        "default.json: ok" in r.stdout,
    "lint: a shared session type and a missing cap are found, a clean fixture is ok (exit 1)",
    r.stdout + r.stderr)
r = run(["lint", os.path.join(work, "missing.json")])
checks.check(
    r.returncode == 2 and "missing.json" in r.stderr,
    "lint: an unreadable fixture is exit 2",
    r.stderr)

trace_file = os.path.join(work, "trace.json")
r = subprocess.run([binary, "exec", "--", "sh", "-c",
                    '"$0" timeline --url "$IMS_EMULATOR_URL" -o "$1"', binary, trace_file],
                   cwd=work, capture_output=True, text=True, timeout=120)
try:
    import json as _json
    with open(trace_file) as f:
        trace = _json.load(f)["traceEvents"]
    with open(trace_file) as f:
        format_errors = trace_format_errors(_json.load(f))
    tracks = [e["args"]["name"] for e in trace if e.get("name") == "thread_name"]
    ok = (r.returncode == 0 and sum(t.startswith("payload ") for t in tracks) == 2 and
          not format_errors)
    tracks = f"{tracks} {format_errors[:5]}"
except (OSError, ValueError, KeyError) as e:
    ok, tracks = False, str(e)
checks.check(
    ok,
    "timeline: a running emulator's journal as a Chrome trace, a track per payload",
    r.stdout + r.stderr + str(tracks))
r = run(["timeline", "--url", "http://127.0.0.1:9"])
checks.check(
    r.returncode == 1 and "cannot read the timeline from http://127.0.0.1:9" in r.stderr,
    "timeline: no emulator there is a clear error",
    r.stderr)

# SIGTERM sent to the emulator reaches the command first; the emulator
# serves until the command has left.
script = os.path.join(work, "leaves-on-term.py")
with open(script, "w") as f:
    f.write(textwrap.dedent("""
        import os, signal, sys, urllib.request
        def leave(*_):
            urllib.request.urlopen(os.environ["IMS_EMULATOR_URL"] + "/emulator/v0/health")
            sys.exit(7)
        signal.signal(signal.SIGTERM, leave)
        print("ready", flush=True)
        signal.pause()
    """))
p = subprocess.Popen([binary, "exec", "--", sys.executable, script], cwd=work,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
line = p.stdout.readline()
p.send_signal(signal.SIGTERM)
code = p.wait(timeout=120)
checks.check(
    line.strip() == "ready" and code == 7,
    "exec: SIGTERM reaches the command first, and the emulator still answers it",
    "line %r, exit %d, %s" % (line, code, p.stderr.read()))

# A fixture's relative command resolves against the fixture's folder.
game = os.path.join(work, "game")
os.makedirs(game)
with open(os.path.join(game, "server.sh"), "w") as f:
    f.write('#!/bin/sh\necho "$ORCHESTRATION_PAYLOAD_API" > "$MARKER"\nexec sleep 600\n')
os.chmod(os.path.join(game, "server.sh"), 0o755)
marker = os.path.join(work, "started")
with open(os.path.join(game, "fixture.json"), "w") as f:
    f.write('{"projects": [{"id": "p", "allocations": [{"annotations": {"session_type": "x"},'
            ' "buffer_size": 1, "payload_spec": {"command": "./server.sh",'
            ' "resources": {"cpu": "250m", "memory": "256Mi"},'
            ' "env": {"MARKER": "%s"}}}]}]}' % marker)
wait = textwrap.dedent("""
    import os, select, sys
    # Wait for the game server's marker: inotify-free, by polling with a
    # bounded select() timeout as the pacing (no sleep).
    for _ in range(3000):
        if os.path.exists(sys.argv[1]) and open(sys.argv[1]).read().strip():
            sys.exit(0)
        select.select([], [], [], 0.01)
    sys.exit(1)
""")
r = subprocess.run([binary, "exec", "--fixture", "game/fixture.json", "--kill-grace", "1", "--",
                    sys.executable, "-c", wait, marker], cwd=work, capture_output=True,
                   text=True, timeout=120)
checks.check(
    r.returncode == 0,
    "a fixture's relative command runs from the fixture's folder",
    r.stderr)
checks.check(
    "memory limit 256Mi (past it: OOMKilled)" in r.stdout + r.stderr
    and "cpu 250m (stored only: a process runs without a cpu limit)" in r.stdout + r.stderr,
    "start-up says which resources a process is held to and which are only stored",
    r.stdout + r.stderr)

# --- First contact: every mistake named, with its cause and a suggestion ---
r = run(["serv"])
checks.check(r.returncode == 2 and "did you mean 'serve'?" in r.stderr,
             "a misspelt command gets a suggestion", r.stderr)
r = run(["serve", "--prot", "19620"])
checks.check(r.returncode == 2 and "unknown flag '--prot' (did you mean '--port'?)" in r.stderr,
             "a misspelt flag is named with a suggestion", r.stderr)
r = run(["serve", "--port", "0", "--keep-deleted", "-1"])
checks.check(r.returncode == 2 and "--keep-deleted" in r.stderr,
             "a negative --keep-deleted is refused, named", r.stderr)
r = run(["serve", "--port", "0", "--state-writes", "behind"])
checks.check(r.returncode == 2 and "--state-writes needs --state FILE" in r.stderr,
             "--state-writes without a state file is refused (it would change nothing)", r.stderr)
r = run(["serve", "--port", "0", "--state", "w.db", "--state-writes", "later"])
checks.check(r.returncode == 2 and "--state-writes" in r.stderr and "behind" in r.stderr,
             "an unknown --state-writes value is named with the ones there are", r.stderr)
with open(os.path.join(work, "typo.json"), "w") as f:
    json.dump({"projects": [{"id": "p", "allocations": [{"bufer_size": 2}]}]}, f)
r = run(["serve", "--port", "0", "--fixture", "typo.json"])
checks.check(r.returncode != 0 and "bufer_size is not a known field (did you mean 'buffer_size'?)"
             in r.stderr, "a misspelt fixture field gets a suggestion", r.stderr)
with open(os.path.join(work, "syntax.json"), "w") as f:
    f.write('{\n  "projects": [\n    {"id": "p",, }\n  ]\n}\n')
r = run(["serve", "--port", "0", "--fixture", "syntax.json"])
checks.check(r.returncode != 0 and "fixture file 'syntax.json' is not valid JSON" in r.stderr
             and "at line 3, column 16" in r.stderr,
             "a fixture's JSON syntax error names the file, line and column", r.stderr)
for state, cause in [("missing/dir/world.db", "the folder"), (".", "it is a folder")]:
    r = run(["serve", "--port", "0", "--state", state])
    checks.check(r.returncode != 0 and f"state file '{state}'" in r.stderr and cause in r.stderr,
                 f"--state {state}: the file and the cause", r.stderr)
with open(os.path.join(work, "notes.txt"), "w") as f:
    f.write("not a database\n" * 100)
r = run(["serve", "--port", "0", "--state", "notes.txt"])
checks.check(r.returncode != 0 and "'notes.txt' is not an ims-emulator state file" in r.stderr,
             "--state on another kind of file says so", r.stderr)

recording = os.path.join(work, "kept.yaml")
with open(recording, "w") as f:
    f.write("# a recording worth keeping\n")
r = run(["exec", "--record", "kept.yaml", "--", "true"])
checks.check(r.returncode != 0 and "'kept.yaml' already exists; give --record-overwrite" in r.stderr
             and open(recording).read() == "# a recording worth keeping\n",
             "--record refuses an existing file and leaves it as it was", r.stderr)
r = run(["exec", "--record", "kept.yaml", "--record-overwrite", "--", "true"])
checks.check(r.returncode == 0 and "recording this session to kept.yaml" in r.stderr
             and "steps:" in open(recording).read(),
             "--record-overwrite replaces it, and the banner says it records", r.stderr)

probe_host = textwrap.dedent("""
    import os, sys, urllib.request
    api = os.environ["ORCHESTRATION_PAYLOAD_API"]
    body = urllib.request.urlopen("http://" + api + "/api/v0/payload", timeout=10).read()
    print(api)
    sys.exit(0 if api.startswith("127.0.0.2:") and b"Ready" in body else 1)
""")
r = run(["exec", "--host", "127.0.0.2", "--", sys.executable, "-c", probe_host])
checks.check(r.returncode == 0, "the payload APIs follow --host (127.0.0.2, a loopback address)",
             r.stdout + r.stderr)

probe_session = textwrap.dedent("""
    import json, os, urllib.request
    req = urllib.request.Request(
        os.environ["IMS_EMULATOR_URL"] + "/api/v0/projects/local-project/sessions?session_type=default",
        data=b"{}", method="POST", headers={"Authorization": "Bearer secret-token:playfab/t"})
    print(json.load(urllib.request.urlopen(req, timeout=10))["address"])
""")
exchanges = os.path.join(work, "exchanges.jsonl")
r = run(["exec", "--payload-address", "game-server", "--exchange-log", exchanges, "--",
         sys.executable, "-c", probe_session])
checks.check(r.returncode == 0 and r.stdout.strip() == "game-server",
             "--payload-address is the address the Session Manager hands clients",
             r.stdout + r.stderr)
logged = [json.loads(l) for l in open(exchanges)] if os.path.exists(exchanges) else []
created = [x for x in logged if x["method"] == "POST" and x["path"].endswith("/sessions")]
checks.check(len(created) == 1 and created[0]["status"] == 200
             and created[0]["query"] == "session_type=default"
             and created[0]["body"]["address"] == "game-server"
             and created[0]["listener"] == "main",
             "--exchange-log writes each request and its answer as a JSON line", logged)
r = run(["serve", "--port", "0", "--payload-address", "game server;rm"])
checks.check(r.returncode == 2 and "--payload-address must be a host name or an IP address"
             in r.stderr, "a --payload-address that is no host name is refused, naming the rule",
             r.stderr)

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    free_port = s.getsockname()[1]
mock = subprocess.Popen([binary, "payload-local-api", "--port", str(free_port), "--control-port",
                         "0"], cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                        text=True)
banner = []
for line in mock.stdout:
    banner.append(line)
    if line.startswith("clock:"):
        break
mock.send_signal(signal.SIGTERM)
mock.communicate(timeout=60)
checks.check(any("Payload Local API on 127.0.0.1:" in l for l in banner)
             and not any("warning" in l for l in banner),
             "payload-local-api warns about no fixture the user did not write", "".join(banner))

if not checks.failures:
    shutil.rmtree(work, ignore_errors=True)  # kept to look at after a failure
checks.finish()
