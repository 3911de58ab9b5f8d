#!/usr/bin/python3
"""The dashboard in a real headless Chromium (Debian's chromium, chromedriver
and python3-selenium, installed by scripts/install-deps.sh).

Usage: dashboard_test.py BINARY [--screenshots DIR]

Starts `ims-emulator serve --clock virtual` on the default world, opens the
page and checks, as a developer sees it: no console errors, the default world
shown, a session created from the page reserves a payload, a status set over
the Payload Local API shows as "server set" at once (the journal is followed
live) and as "clients see" only after the page's advance buttons move the
clock past the status cache, a refused action shows the API's error, 1,000
payloads page, the timeline draws the journal's Chrome trace with the status
cache's lag, and another origin (a page on another port, and a DNS-rebinding
name) can neither read nor drive it. With --screenshots, saves the page and
the timeline (DIR/dashboard.png and DIR/timeline.png, the pictures in the
docs). Every server listens on 127.0.0.1 only.
"""
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:
    sys.exit("FAIL python3-selenium is missing: run scripts/install-deps.sh")

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT_SECONDS = 30  # the longest any one condition may take to show
AUTH = {"Authorization": "Bearer test/dashboard"}

binary = os.path.abspath(sys.argv[1])
shots = sys.argv[sys.argv.index("--screenshots") + 1] if "--screenshots" in sys.argv else None
for tool in (CHROMIUM, CHROMEDRIVER):
    if not os.path.exists(tool):
        sys.exit(f"FAIL {tool} is missing: run scripts/install-deps.sh")

work = tempfile.mkdtemp(prefix="imsemu-dashboard-")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import Checks  # noqa: E402

t = Checks("dashboard/browser")
check = t.check


def call(base, path, method="GET", body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers=dict(AUTH, **(headers or {})))
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


# --- The emulator -----------------------------------------------------------
emulator = subprocess.Popen([binary, "serve", "--port", "0", "--clock", "virtual",
                             "--log-level", "error"], cwd=work, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
line = emulator.stdout.readline()
prefix = "ims-emulator listening on "
if not line.startswith(prefix):
    emulator.kill()
    sys.exit("FAIL the emulator did not start: " + line + emulator.stdout.read())
threading.Thread(target=emulator.stdout.read, daemon=True).start()
base = line[len(prefix):].strip()
port = int(base.rsplit(":", 1)[1])

# --- Another origin: a page on another loopback port that tries to drive it --
EVIL = """<!doctype html><title>evil</title><script>
const emu = 'http://127.0.0.1:%d';
const results = {};
async function attempt(name, fn) {
  try { await fn(); results[name] = 'sent'; } catch (e) { results[name] = 'blocked'; }
}
(async () => {
  // Simple requests (no preflight): the browser sends them, the page cannot read them.
  await attempt('advance', () => fetch(emu + '/emulator/v0/clock/advance', {method: 'POST',
      mode: 'no-cors', headers: {'Content-Type': 'text/plain'}, body: '{"seconds": 3600}'}));
  await attempt('reset', () => fetch(emu + '/emulator/v0/reset', {method: 'POST', mode: 'no-cors'}));
  // A read needs CORS: refused.
  await attempt('read', async () => { await (await fetch(emu + '/emulator/v0/state')).json(); });
  // A JSON POST needs a preflight: refused.
  await attempt('json', () => fetch(emu + '/emulator/v0/clock/advance', {method: 'POST',
      headers: {'Content-Type': 'application/json'}, body: '{"seconds": 3600}'}));
  document.title = 'done ' + JSON.stringify(results);
})();
</script>""" % port
with open(os.path.join(work, "evil.html"), "w") as f:
    f.write(EVIL)


class Quiet(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=work, **kwargs)

    def log_message(self, *args):
        pass


evil_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
threading.Thread(target=evil_server.serve_forever, daemon=True).start()
evil_origin = f"http://127.0.0.1:{evil_server.server_address[1]}"

# --- The browser ---------------------------------------------------------------
options = webdriver.ChromeOptions()
options.binary_location = CHROMIUM
for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", "--window-size=1440,1100",
             f"--user-data-dir={os.path.join(work, 'profile')}",
             # A DNS-rebinding name: resolves to loopback for this browser alone.
             "--host-resolver-rules=MAP rebind.example 127.0.0.1"]:
    options.add_argument(flag)
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
wait = WebDriverWait(driver, WAIT_SECONDS)


# The page redraws as the world changes: read it in one script call, never
# through element handles that a redraw makes stale.
def text(css):
    return driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.innerText : null", css)


def rows(table):
    """[(data-id, text)] of a table's rows."""
    return [tuple(r) for r in driver.execute_script(
        "return [...document.querySelectorAll(`#${arguments[0]} tbody tr[data-id]`)]"
        ".map(r => [r.dataset.id, r.innerText])", table)]


def click(element_id):
    driver.execute_script("document.getElementById(arguments[0]).click()", element_id)


def severe_console_entries():
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def session_cell(session_id, cell):
    return text(f'#sessions tr[data-id="{session_id}"] td.{cell}')


try:
    # 1. The page loads with no console errors and shows the default world.
    driver.get(base + "/")
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-loaded") == "true")
    wait.until(lambda d: len(rows("payloads")) == 2)
    check(driver.title == "ims-emulator", "the page's title is ims-emulator")
    allocation = rows("allocations")
    check(len(allocation) == 1 and "default" in allocation[0][1] and "Ready 2" in allocation[0][1]
          and text('#allocations td.status') == "Running",
          "the default allocation shows its status Running, session type default and 2 Ready "
          "payloads: " + (allocation[0][1] if allocation else "none"))
    check(text("#clock-mode") == "virtual clock" and text("#clock-now") == "2026-01-01T00:00:00Z",
          "the clock shows the virtual mode and its time: " + text("#clock"))
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#journal li")) >= 4)
    check(all(text.count("Ready") == 1 for _, text in rows("payloads")), "both payloads show Ready")
    errors = severe_console_entries()
    check(errors == [], f"no console errors on load: {errors}")

    # 2. Creating a session from the page reserves a payload.
    driver.find_element(By.ID, "cs-config").send_keys('{"map": "docks"}')
    driver.find_element(By.CSS_SELECTOR, "#create-session button[type=submit]").click()
    wait.until(lambda d: len(rows("sessions")) == 1)
    session_id = rows("sessions")[0][0]
    status, state = call(base, "/emulator/v0/state")
    reserved = [p for p in state["payloads"] if p["status"]["state"] == "Reserved"]
    check([p["id"] for p in reserved] == [session_id],
          f"the API shows payload {session_id} Reserved (the page's session)")
    wait.until(lambda d: "Reserved" in text(f'#payloads tr[data-id="{session_id}"]'))
    check("reserved" in text("#message"), "the page says what it did: " + text("#message"))
    wait.until(lambda d: text("#pd-config") == '{"map": "docks"}')
    check(True, "the payload panel shows the session config the page sent")

    # 3. A status set over the Payload Local API: "server set" at once,
    #    "clients see" only once the clock passes the status cache (12 s).
    payload_api = reserved[0]["orchestration_payload_api"]
    status, _ = call("http://" + payload_api, "/api/v0/session-manager/status", "POST",
                     {"phase": "lobby"})
    check(status == 200, "the game server sets its status over the Payload Local API")
    wait.until(lambda d: "phase=lobby" in session_cell(session_id, "server-set"))
    check(session_cell(session_id, "clients-see") == "{}",
          "clients do not see it yet: " + session_cell(session_id, "clients-see"))
    check("clients see it at 00:00:12" in session_cell(session_id, "agree"),
          "the page says when clients will see it: " + session_cell(session_id, "agree"))
    click("advance-1")
    wait.until(lambda d: text("#clock-now") == "2026-01-01T00:00:01Z")
    check(session_cell(session_id, "clients-see") == "{}" and
          "in 11 s" in session_cell(session_id, "agree"),
          "one second later clients still see {}: " + session_cell(session_id, "agree"))
    if shots:  # the whole page, journal included
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1440, height + 120)
        driver.save_screenshot(os.path.join(shots, "dashboard.png"))
        driver.set_window_size(1440, 1100)
    _, listed = call(base, "/api/v0/projects/local-project/sessions?session_type=default")
    check(listed["sessions"][0]["session_status"] == {}, "List Sessions agrees: {} at 00:00:01")
    click("advance-12")
    wait.until(lambda d: text("#clock-now") == "2026-01-01T00:00:13Z")
    wait.until(lambda d: session_cell(session_id, "clients-see") == "phase=lobby")
    check(session_cell(session_id, "agree") == "agreed", "after +12 s clients see the status")
    _, listed = call(base, "/api/v0/projects/local-project/sessions?session_type=default")
    check(listed["sessions"][0]["session_status"] == {"phase": "lobby"},
          "List Sessions agrees at 00:00:13")

    # 4. The timeline: the journal's Chrome trace drawn, a track per payload,
    #    the status cache's lag between "server set" and "clients see".
    click("timeline-toggle")
    wait.until(lambda d: d.execute_script(
        "return [...document.querySelectorAll('#timeline .track-name')]"
        ".some(n => n.textContent === 'payload ' + arguments[0])", session_id))
    drawn = driver.execute_script("""
        const row = [...document.querySelectorAll('#timeline .track')]
            .find(t => t.querySelector('.track-name').textContent === 'payload ' + arguments[0]);
        return {spans: [...row.querySelectorAll('.span')].map(s => s.textContent),
                set: row.querySelectorAll('.mark.server-set').length,
                see: row.querySelectorAll('.mark.clients-see').length,
                lag: [...row.querySelectorAll('.lag-bar')].map(b => b.title)};""", session_id)
    check(drawn["spans"][-1] == "Reserved" and drawn["set"] == 1 and drawn["see"] == 1 and
          drawn["lag"] == ["status cache lag: 12 s"],
          f"the timeline shows the session's track, its marks and the 12 s cache lag: {drawn}")
    if shots:
        driver.find_element(By.ID, "timeline-section").screenshot(os.path.join(shots, "timeline.png"))

    # 5. The journal is live and filterable.
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, '#journal li[data-kind="session.status"]'))
    Select(driver.find_element(By.ID, "jf-kind")).select_by_value("payload.state")
    kinds = set(driver.execute_script(
        "return [...document.querySelectorAll('#journal li')].map(li => li.dataset.kind)"))
    check(kinds == {"payload.state"}, f"filtering the journal by kind shows that kind only: {kinds}")
    Select(driver.find_element(By.ID, "jf-kind")).select_by_value("")

    # 6. An action the API refuses shows the API's own message.
    code = driver.find_element(By.ID, "pd-code")
    code.clear()
    code.send_keys("300")
    click("pd-exit")
    wait.until(lambda d: d.find_element(By.ID, "error").is_displayed())
    _, refused = call(base, f"/emulator/v0/payloads/{session_id}/exit", "POST", {"code": 300})
    check(refused["message"] in text("#error") and "HTTP 400" in text("#error"),
          f"the refusal shows the API's message: {text('#error')!r}")
    status, state = call(base, "/emulator/v0/state")
    check(any(p["id"] == session_id and p["status"]["state"] == "Reserved" for p in state["payloads"]),
          "the refused exit changed nothing")
    click("advance-next")
    wait.until(lambda d: "no timer is armed" in text("#error"))
    check(True, "'to next timer' with nothing armed shows the API's refusal")
    unexpected = [e for e in severe_console_entries() if "status of 400" not in e["message"]
                  and "status of 409" not in e["message"]]
    check(unexpected == [], f"no console errors but the refused calls: {unexpected}")

    # 7. Faults from the page: add one, see it, clear it.
    driver.find_element(By.ID, "f-path").send_keys("/api/v0/payload")
    driver.find_element(By.CSS_SELECTOR, "#add-fault button[type=submit]").click()
    wait.until(lambda d: len(rows("faults")) == 1)
    _, faults = call(base, "/emulator/v0/faults")
    check(len(faults["faults"]) == 1 and faults["faults"][0]["status"] == 503,
          "the fault added on the page is in the API")
    click("clear-faults")
    wait.until(lambda d: len(rows("faults")) == 0)

    # 8. 1,000 payloads: the table pages.
    status, _ = call(base, "/api/v0/projects/local-project/allocations", "POST", {
        "name": "crowd", "annotations": {"session_type": "crowd"}, "buffer_size": 1000,
        "max_payloads": 1000, "auto_ready": True,
        "payload_spec": {"ports": [{"name": "GamePort", "container_port": 7777}]}})
    check(status == 200, "an allocation of 1,000 payloads is created")
    # 1,000 Ready, and the default allocation's reserved one with its buffer of 2.
    wait.until(lambda d: "(1003 payloads)" in text("#pf-page"))
    check(len(rows("payloads")) == 50, "one page of 50 payloads is drawn")
    click("pf-next")
    check(text("#pf-page").startswith("page 2 of 21"), "the pager moves: " + text("#pf-page"))

    # 9. Reset from the page.
    click("reset")
    wait.until(lambda d: "(2 payloads)" in text("#pf-page"))
    check(len(rows("sessions")) == 0, "after a reset the page shows the fixture again")

    # 10. The payload panel's actions, each checked against the API.
    def api_payload(payload_id):
        status, world = call(base, "/emulator/v0/state")
        if status != 200:
            raise AssertionError(f"GET /emulator/v0/state answered {status}: {world}")
        return next(p for p in world["payloads"] if p["id"] == payload_id)

    target = rows("payloads")[0][0]
    driver.execute_script(
        "document.querySelector(`#payloads tr[data-id='${arguments[0]}'] a`).click()", target)
    wait.until(lambda d: text("#pd-id") == target)
    Select(driver.find_element(By.ID, "pd-state")).select_by_value("Starting")
    click("pd-force")
    wait.until(lambda d: "Starting" in text(f'#payloads tr[data-id="{target}"]'))
    check(api_payload(target)["status"]["state"] == "Starting" and api_payload(target)["forced"],
          "Force state: the API shows the payload Starting, forced")
    click("pd-ready")
    wait.until(lambda d: "Ready" in text(f'#payloads tr[data-id="{target}"]'))
    check(api_payload(target)["status"]["state"] == "Ready",
          "Mark Ready (the Payload Local API on the main port): Ready")
    click("pd-down")
    wait.until(lambda d: "API down" in text(f'#payloads tr[data-id="{target}"]'))
    check(api_payload(target)["api_down_until"] == "2026-01-01T00:00:23Z",
          "Take API down: down for 10 s from 00:00:13")
    seconds = driver.find_element(By.ID, "advance-seconds")
    seconds.clear()
    seconds.send_keys("7.5")
    click("advance-custom")
    wait.until(lambda d: text("#clock-now") == "2026-01-01T00:00:20.500Z")
    check(True, "a custom advance of 7.5 s")
    click("advance-next")
    wait.until(lambda d: text("#clock-now") == "2026-01-01T00:00:23Z")
    wait.until(lambda d: "API down" not in text(f'#payloads tr[data-id="{target}"]'))
    check("api_down_until" not in api_payload(target),
          "'To next timer' moves exactly to the end of the outage, and the API is back")
    _, clock_before = call(base, "/emulator/v0/clock")
    _, state_before = call(base, "/emulator/v0/state")

    # 11. Another origin can neither drive nor read it.
    driver.get(evil_origin + "/evil.html")
    wait.until(lambda d: d.title.startswith("done"))
    results = json.loads(driver.title[len("done "):])
    check(results["read"] == "blocked" and results["json"] == "blocked",
          f"another origin cannot read the state nor send JSON: {results}")
    _, clock_after = call(base, "/emulator/v0/clock")
    check(clock_after == clock_before, "the other origin's simple POST did not move the clock")
    _, state = call(base, "/emulator/v0/state")
    check(state == state_before, "nor did anything else change")
    status, refused = call(base, "/emulator/v0/clock/advance", "POST", {"seconds": 1},
                           {"Origin": evil_origin})
    check(status == 403 and "Origin" in refused["message"],
          "the emulator refuses that origin by name: " + refused.get("message", ""))

    # 12. A DNS-rebinding name gets no page.
    driver.get(f"http://rebind.example:{port}/")
    body = text("body") or ""
    check("is not a loopback name" in body, "a rebinding name is refused: " + body[:120])
finally:
    driver.quit()
    evil_server.shutdown()
    emulator.send_signal(signal.SIGTERM)
    try:
        emulator.wait(timeout=20)
    except subprocess.TimeoutExpired:
        emulator.kill()
        check(False, "the emulator stops on SIGTERM with the page's long poll open")
    shutil.rmtree(work, ignore_errors=True)

t.finish()
