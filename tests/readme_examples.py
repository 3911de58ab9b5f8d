#!/usr/bin/env python3
"""Runs the examples of README.md and of the guides under docs/ as written,
against the real binary (the kits' walkthroughs, docs/kits/, have their own
runner: tests/kits/walkthrough_test.py).

- a ```yaml block with `steps:` is a scenario: it runs beside a copy of
  scenarios/worlds (the fixture paths it names) and must pass;
- a ```json block with "projects" is a fixture: it must load, as the world of
  a one-step scenario;
- a ```json block with "payload_config" is an IMS mock config: the drop-in
  command must serve its metadata and session config;
- a ```sh block with curl commands (the README's "Try it" among them) runs
  against `serve --port 0` as pasted, but for the main port (9350) replaced
  by the one it printed; each curl must answer JSON that is not an error;
- the start-up lines the README shows are the ones `serve` prints (the
  payload API ports aside, which the OS picks);
- the rehearsal plan shown is plans/launch-day.yaml, and its command prints
  the table shown;
- every link to a file of the repository exists, and every #anchor names a
  heading of the file it points into.

Usage: readme_examples.py BINARY SOURCE_DIR
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
import urllib.request

from testlib import Checks

binary, source = sys.argv[1], sys.argv[2]
readme = open(os.path.join(source, "README.md"), encoding="utf-8").read()
pages = ["README.md"] + sorted(os.path.join("docs", f) for f in os.listdir(os.path.join(source, "docs"))
                               if f.endswith(".md"))
texts = {page: open(os.path.join(source, page), encoding="utf-8").read() for page in pages}
blocks = [block for page in pages for block in re.findall(r"```(\w*)\n(.*?)```", texts[page], re.S)]
work = tempfile.mkdtemp(prefix="readme-examples-")
shutil.copytree(os.path.join(source, "scenarios", "worlds"), os.path.join(work, "worlds"))
checks = Checks("readme examples")


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=120, **kw)


def start(args):
    """Starts the binary and returns it with its start-up lines."""
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    for line in p.stdout:
        lines.append(line)
        if line.startswith("clock:"):
            return p, lines
    p.kill()
    raise RuntimeError("did not start: " + "".join(lines) + p.stderr.read())


def stop(p):
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=30)


def run_scenario(what, n, text):
    """Runs `text` as a scenario file; a failure is recorded."""
    path = os.path.join(work, "%s-%d.yaml" % (what, n))
    open(path, "w").write(text)
    r = run([binary, "scenario", "run", path])
    checks.check(r.returncode == 0, "%s block %d passes" % (what, n), r.stdout + r.stderr)


for n, (lang, text) in enumerate(blocks):
    if lang == "yaml" and "\nsteps:" in text:
        run_scenario("scenario", n, text)
    elif lang == "json" and '"projects"' in text:
        run_scenario("fixture", n, "name: README fixture\nworld: " + " ".join(text.split()) +
                     "\nsteps:\n  - emulator.get_state: {}\n")
    elif lang == "json" and '"payload_config"' in text:
        path = os.path.join(work, "mock-%d.json" % n)
        open(path, "w").write(text)
        with socket.socket() as s:  # a free port for the mock's fixed port
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        p, lines = start([binary, "payload-local-api", "--port", str(port), "--control-port",
                          "0", "--clock", "virtual", "--payload-config", path])
        try:
            api = "http://127.0.0.1:%d/api/v0/" % port
            control = re.search(r"listening on (http://\S+)", "".join(lines)).group(1)
            urllib.request.urlopen(urllib.request.Request(api + "ready", b"", method="POST"))
            urllib.request.urlopen(urllib.request.Request(
                control + "/emulator/v0/clock/advance", b'{"seconds": 10}', method="POST"))
            got = json.load(urllib.request.urlopen(api + "payload"))["result"]
            config = json.load(urllib.request.urlopen(api + "session-manager/config"))
            want = json.loads(text)
            checks.check(got["status"]["state"] == "Reserved" and
                         got["metadata"] == want["payload_config"]["metadata"] and
                         config.get("config") == want["session_config"],
                         "mock block %d serves its metadata and session config" % n,
                         "%s %s" % (got, config))
        finally:
            stop(p)
    elif lang == "sh" and "curl" in text:
        p, lines = start([binary, "serve", "--port", "0", "--fixture",
                          os.path.join(source, "fixtures", "default.json")])
        try:
            main = re.search(r"listening on http://127\.0\.0\.1:(\d+)", "".join(lines)).group(1)
            shown = re.search(r"```\n(ims-emulator listening on .*?)```", readme, re.S).group(1)
            mask = lambda t: re.sub(r"(ORCHESTRATION_PAYLOAD_API=127\.0\.0\.1:)\d+", r"\1PORT",
                                    t.replace(":" + main, ":9350"))
            checks.check(mask(shown) == mask("".join(lines)),
                         "the README's start-up lines are what serve prints", "".join(lines))
            commands = re.sub(r"\\\n\s*", "", text)
            for command in commands.splitlines():
                if not command.startswith("curl"):
                    continue
                command = command.replace(":9350", ":" + main)
                r = run(["bash", "-c", command], cwd=work)
                # `-o FILE` (the OpenAPI download): the answer is the file.
                saved = re.search(r" -o (\S+)", command)
                answer = r.stdout
                if saved and os.path.exists(os.path.join(work, saved.group(1))):
                    answer = open(os.path.join(work, saved.group(1))).read()
                try:
                    body = json.loads(answer)
                except ValueError:
                    body = None
                checks.check(r.returncode == 0 and isinstance(body, dict) and "message" not in body,
                             "sh block %d: %s answers JSON, not an error" % (n, command), r.stdout)
        finally:
            stop(p)

# The rehearsal: the plan shown is plans/launch-day.yaml, and the command
# shown prints the table shown, byte for byte (the report is deterministic).
plan_blocks = [text for lang, text in blocks if lang == "yaml" and "\ndemand:" in text]
plan_file = open(os.path.join(source, "plans", "launch-day.yaml")).read()
checks.check(plan_blocks == [plan_file], "the README's rehearsal plan is plans/launch-day.yaml")
tables = [text for lang, text in blocks if lang == "text" and text.startswith("setting ")]
command = re.search(r"^build/ims-emulator (rehearse .*)$", "\n".join(texts.values()), re.M)
if command and tables:
    args = command.group(1).replace("'", "").split()
    shutil.copytree(os.path.join(source, "plans"), os.path.join(work, "plans"))
    r = run([binary] + args, cwd=work)
    checks.check(r.returncode == 0 and r.stdout == tables[0] and
                 os.path.exists(os.path.join(work, "rehearse.html")),
                 "the README's rehearse command prints the table it shows",
                 r.stdout + r.stderr)
else:
    checks.check(False, "the README shows a rehearse command and its table")

# Every link to a file of the repository exists; an #anchor names a heading
# of the file it points into (GitHub's anchors).
anchor = lambda h: re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
broken = []
links = 0
for page, text in texts.items():
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"^[a-z]+:", target):
            continue
        links += 1
        path, _, fragment = target.partition("#")
        file = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
        if not os.path.exists(os.path.join(source, file)):
            broken.append(f"{page}: {target} (no {file})")
        elif fragment and file.endswith(".md"):
            headings = re.findall(r"^#+ (.+)$", open(os.path.join(source, file)).read(), re.M)
            if fragment not in [anchor(h) for h in headings]:
                broken.append(f"{page}: {target} (no heading #{fragment} in {file})")
checks.check(links > 20 and not broken, f"every one of {links} links of the README and the guides "
             "leads somewhere", "\n".join(broken))

shutil.rmtree(work)
checks.finish(at_least=9)
