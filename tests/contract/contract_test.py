#!/usr/bin/env python3
"""The OpenAPI contract test: runs the HTTP test binaries with
IMSEMU_EXCHANGE_LOG set, so every emulator they start writes every request
and answer down, then checks docs/openapi.json and every answer against it
(check_contract.mjs, with the npm packages install-deps.sh put in
tests/contract/node_modules).

Usage: contract_test.py OPENAPI.json TEST_BINARY...
"""
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
document, binaries = os.path.abspath(sys.argv[1]), [os.path.abspath(b) for b in sys.argv[2:]]
if not binaries:
    sys.exit("FAIL contract: no test binary given")
if not os.path.isdir(os.path.join(here, "node_modules", "@apidevtools")):
    sys.exit("FAIL contract: tests/contract/node_modules is missing (bash scripts/install-deps.sh)")
folder = tempfile.mkdtemp(prefix="imsemu-contract-")
logs = []
for binary in binaries:
    log = os.path.join(folder, os.path.basename(binary) + ".jsonl")
    r = subprocess.run([binary, "--gtest_brief=1"], env=dict(os.environ, IMSEMU_EXCHANGE_LOG=log),
                       capture_output=True, text=True, timeout=600, cwd=folder)
    if r.returncode != 0:
        sys.exit(f"FAIL contract: {binary} failed\n{r.stdout[-4000:]}{r.stderr[-2000:]}")
    if not os.path.exists(log) or os.path.getsize(log) == 0:
        sys.exit(f"FAIL contract: {binary} wrote no exchange to {log}")
    logs.append(log)
    print(f"ok   {os.path.basename(binary)}: {sum(1 for _ in open(log))} exchanges", flush=True)
r = subprocess.run(["node", os.path.join(here, "check_contract.mjs"), document, *logs], cwd=here)
sys.exit(r.returncode)
