#!/usr/bin/python3
"""The rehearsal's HTML report in a real headless Chromium.

Usage: rehearse_report_test.py BINARY SOURCE_DIR [--screenshots DIR]

Runs `ims-emulator rehearse plans/launch-day.yaml` through the real binary
with --json and --html, opens the page from the file as a studio would, and
checks what a technical director sees: no console error and no request
(one file, nothing fetched), a row a setting with the figures of the JSON
report, the cheapest setting meeting the target marked (and the others
marked as meeting or missing it), two plots a setting drawn with a size,
payloads by state drawn where there were payloads, and a plan no setting
meets saying so. With --screenshots, saves DIR/rehearse.png (the picture in
the README).
"""
import json
import os
import subprocess
import sys
import tempfile

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
except ImportError:
    sys.exit("FAIL python3-selenium is missing: run scripts/install-deps.sh")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import Checks  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
binary, source = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
shots = sys.argv[sys.argv.index("--screenshots") + 1] if "--screenshots" in sys.argv else None
for tool in (CHROMIUM, CHROMEDRIVER):
    if not os.path.exists(tool):
        sys.exit(f"FAIL {tool} is missing: run scripts/install-deps.sh")

work = tempfile.mkdtemp(prefix="imsemu-rehearse-")
t = Checks("rehearse/browser")


def rehearse(target, name):
    html = os.path.join(work, name + ".html")
    out = os.path.join(work, name + ".json")
    r = subprocess.run([binary, "rehearse", os.path.join(source, "plans", "launch-day.yaml"),
                        "--html", html, "--json", out, "--target", target, "--quiet"],
                       capture_output=True, text=True, timeout=600)
    report = json.load(open(out)) if os.path.exists(out) else {}
    return r, html, report


r, page, report = rehearse("refused_fraction<0.001", "meets")
t.check(r.returncode == 0 and report.get("cheapest") is not None,
        "the launch-day plan has a cheapest setting meeting refused_fraction<0.001",
        r.stdout + r.stderr)
results = report.get("results", [])
cheapest = report.get("cheapest")

options = webdriver.ChromeOptions()
options.binary_location = CHROMIUM
for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", "--window-size=1400,1000",
             f"--user-data-dir={os.path.join(work, 'profile')}"]:
    options.add_argument(flag)
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
try:
    driver.get("file://" + page)
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    t.check(not errors, "no console error", str(errors))
    fetched = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    t.check(fetched == [], "the page fetches nothing (one file, no CDN)", str(fetched))

    rows = driver.execute_script("""
        return [...document.querySelectorAll('#settings tbody tr')].map(tr => ({
          id: tr.id, cls: tr.className,
          cells: [...tr.cells].map(td => td.textContent)}))""")
    t.check(len(rows) == len(results) == 8, "a row a setting of the sweep", str(len(rows)))
    same = all(
        row["cells"][2] == f"{res['refused_fraction'] * 100:.2f}%" and
        row["cells"][1] == str(res["sessions_requested"]) and
        row["cells"][5] == str(res["peak_payloads"])
        for row, res in zip(rows, results))
    t.check(same and len(rows) == len(results),
            "each row shows its setting's refused share, players and peak payloads as the JSON "
            "report has them", json.dumps(rows[:2]))
    marked = [i for i, row in enumerate(rows) if row["cls"] == "cheapest"]
    t.check(marked == [cheapest] and rows[cheapest]["cells"][-1] == "cheapest meeting the target",
            "the cheapest setting meeting the target is the one row marked",
            f"marked {marked}, report says {cheapest}")
    verdicts_agree = all(
        (row["cls"] == "misses") == (not res["meets_targets"]) for row, res in zip(rows, results))
    t.check(verdicts_agree, "every setting missing the target is marked as missing it")

    sizes = driver.execute_script("""
        return [...document.querySelectorAll('section.setting')].map(s =>
          [...s.querySelectorAll('svg')].map(svg => {
            const r = svg.getBoundingClientRect(); return [r.width, r.height]; }))""")
    drawn = len(sizes) == len(results) and all(
        len(s) == 2 and all(w > 300 and h > 60 for w, h in s) for s in sizes)
    t.check(drawn, "two plots a setting (demand, payloads by state), drawn with a size",
            str(sizes[:2]))
    reserved = driver.execute_script("""
        return [...document.querySelectorAll("svg[id^='payloads-'] polygon[data-series='reserved']")]
          .map(p => p.getBBox().height)""")
    t.check(len(reserved) == len(results) and reserved[0] == 0 and all(h > 20 for h in reserved[1:]),
            "payloads by state: no Reserved area for buffer 0 (nothing served), one for every "
            "other setting", str(reserved))
    demand = driver.execute_script("""
        return [...document.querySelectorAll("svg[id^='demand-'] polyline[data-series='players a minute']")]
          .map(p => p.getBBox().height)""")
    t.check(len(demand) == len(results) and all(h > 10 for h in demand),
            "demand: the players a minute drawn for every setting", str(demand))
    if shots:
        height = driver.execute_script("return document.body.scrollHeight")
        driver.set_window_size(1400, min(height + 40, 1500))
        driver.save_screenshot(os.path.join(shots, "rehearse.png"))

    r, page, report = rehearse("refused_fraction<0", "misses")
    t.check(r.returncode == 1, "a target no setting meets is exit 1", r.stdout + r.stderr)
    driver.get("file://" + page)
    said = driver.execute_script(
        "const e = document.getElementById('no-setting'); return e ? e.textContent : ''")
    marked = driver.execute_script("return document.querySelectorAll('tr.cheapest').length")
    t.check(said == "no setting meets it" and marked == 0,
            "a target no setting meets: the page says so and marks none", said)
finally:
    driver.quit()

t.finish(at_least=12)
