#!/usr/bin/env python3
"""Public headers (include/ims_emulator/) include the standard library, each
other and (the harness) GoogleTest/gMock only: no httplib, SQLite, spdlog,
yaml-cpp or nlohmann, nothing of the library's internals. A compiler cannot check this (those headers sit in
/usr/include beside the standard ones), so every #include is read.

Usage: public_headers_test.py SOURCE_DIR
"""
import os
import re
import sys

root = os.path.join(sys.argv[1], "include", "ims_emulator")
bad = []
headers = 0
for name in sorted(os.listdir(root)):
    if not name.endswith(".h"):
        continue
    headers += 1
    for n, line in enumerate(open(os.path.join(root, name)), 1):
        m = re.match(r'\s*#\s*include\s*([<"])([^>"]+)[>"]', line)
        if not m:
            continue
        kind, path = m.groups()
        standard = kind == "<" and "/" not in path and "." not in path
        ours = kind == '"' and path.startswith("ims_emulator/")
        ours = ours or path in ("gtest/gtest.h", "gmock/gmock.h")
        if not (standard or ours):
            bad.append("%s:%d: %s" % (name, n, line.strip()))
for b in bad:
    print("FAIL", b)
print("%d passed, %d failed" % (headers - len({b.split(':')[0] for b in bad}), len(bad)))
sys.exit(1 if bad or headers == 0 else 0)
