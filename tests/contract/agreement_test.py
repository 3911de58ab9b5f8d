#!/usr/bin/env python3
"""Where docs/openapi.json and the server could disagree, each side is held
to the other, over real HTTP on a running `ims-emulator serve`:
- every operation documents the 403 a foreign Origin gets, and gets it;
- a path asked with a method the document does not give it is a 405 whose
  Allow header lists exactly the document's methods for that path;
- every request body the document closes (additionalProperties: false) is
  refused with an unknown field, naming it; one it leaves open takes it;
- every operation states its security; the Session Manager's bearer format
  is the one the server's 401 names;
- POST /clock/advance {} is refused and the document says a body needs one
  property; a bodiless Set Session Status is refused, changes nothing, and
  the document requires the body;
- each fault api the document lists is taken, and `control` is in neither;
- each Payload Local API server entry of the document, filled in from a
  real payload's ORCHESTRATION_PAYLOAD_API (its own port, and the main
  port's /payloads/{id}), makes URLs the server answers.

Usage: agreement_test.py IMS_EMULATOR OPENAPI.json
"""
import json
import os
import re
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "clients", "python"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from ims_emulator import ImsEmulator  # noqa: E402
from testlib import Checks  # noqa: E402

binary, document = sys.argv[1], sys.argv[2]
doc = json.load(open(document))
t = Checks("contract/agreement")
check = t.check
METHODS = ("get", "put", "post", "delete")
AUTH = {"Authorization": "Bearer secret-token:playfab/agreement"}


def send(url, method, body=None, headers=None):
    """(status, parsed body or text, headers); body: a str sent as it is."""
    data = None if body is None else body.encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers=dict({"Content-Type": "application/json"},
                                                  **(headers or {})))
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            status, raw, h = r.status, r.read().decode(), r.headers
    except urllib.error.HTTPError as e:
        status, raw, h = e.code, e.read().decode(), e.headers
    try:
        return status, json.loads(raw), h
    except ValueError:
        return status, raw, h


def resolve(schema):
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema


def operations():
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method], "servers" in item


emulator = ImsEmulator.start(binary)
try:
    base = emulator.base_url
    names = {}

    def reset():
        """A fresh world, and the path values of its first payload."""
        emulator.reset()
        state = emulator.state()
        names.update(project=state["projects"][0], allocation=state["allocations"][0]["id"],
                     payload=state["payloads"][0]["id"], name="agreement")

    def url_of(path, payload_api, op=None):
        """The operation's URL in this world, with its required query."""
        filled = re.sub(r"\{(\w+)\}", lambda m: names[m.group(1)], path)
        query = [p["name"] for p in (op or {}).get("parameters", [])
                 if p["in"] == "query" and p.get("required")]
        filled += "".join(f"{'&' if i else '?'}{q}=default" for i, q in enumerate(query))
        return (f"{base}/payloads/{names['payload']}" if payload_api else base) + filled

    reset()
    project = names["project"]

    # --- Security and the 403 of a foreign Origin, on every operation ----
    for path, method, op, payload_api in operations():
        where = f"{method.upper()} {path}"
        check("security" in op, f"{where}: the document states its security")
        check("403" in op["responses"], f"{where}: the document lists the 403 of a foreign Origin")
        status, body, _ = send(url_of(path, payload_api, op), method.upper(),
                               "{}" if method in ("put", "post") else None,
                               dict(AUTH, Origin="http://evil.example"))
        check(status == 403 and isinstance(body, dict) and "message" in body,
              f"{where}: a foreign Origin gets the documented 403", f"{status} {body}")

    # --- 405: the document's methods are the server's ------------------
    for path, item in doc["paths"].items():
        documented = {m.upper() for m in METHODS if m in item}
        wrong = next(m for m in ("PATCH", "DELETE", "PUT", "GET") if m not in documented)
        status, body, headers = send(url_of(path, "servers" in item), wrong, None, AUTH)
        allowed = {m.strip() for m in (headers.get("Allow") or "").split(",") if m.strip()}
        check(status == 405 and allowed == documented and "message" in body,
              f"{wrong} {path}: 405, allowing exactly the documented {sorted(documented)}",
              f"{status} Allow: {headers.get('Allow')} {body}")

    # --- Unknown fields: closed bodies refuse them, open ones take them --
    for path, method, op, payload_api in operations():
        content = op.get("requestBody", {}).get("content", {}).get("application/json")
        if not content:
            continue
        schema = resolve(content["schema"])
        if schema.get("type") != "object":
            continue
        reset()
        where = f"{method.upper()} {path}"
        status, body, _ = send(url_of(path, payload_api, op), method.upper(),
                               '{"zz_unknown_field": "x"}', AUTH)
        closed = schema.get("additionalProperties") is False
        message = body.get("message", "") if isinstance(body, dict) else ""
        if closed:
            check(status == 400 and "zz_unknown_field" in message,
                  f"{where}: the document closes its body and the server refuses an unknown field,"
                  " naming it", f"{status} {body}")
        else:
            check("zz_unknown_field" not in message,
                  f"{where}: the document leaves its body open and the server takes any key",
                  f"{status} {body}")
    reset()

    # --- The bearer format ---------------------------------------------
    bearer = doc["components"]["securitySchemes"]["bearer"]
    status, body, _ = send(f"{base}/api/v0/projects/{project}/sessions?session_type=default",
                           "GET", None, {"Authorization": "Basic x"})
    check(status == 401 and f"Bearer {bearer.get('bearerFormat')}" in body["message"],
          f"the 401 names the documented bearer format {bearer.get('bearerFormat')!r}",
          f"{status} {body}")
    sm_ops = [op for path, _, op, _ in operations() if "/sessions" in path]
    check(all(op["security"] == [{"bearer": []}] for op in sm_ops),
          "the Session Manager's operations state the bearer scheme")

    # --- POST /clock/advance {} ----------------------------------------
    advance = resolve(doc["paths"]["/emulator/v0/clock/advance"]["post"]["requestBody"]["content"]
                      ["application/json"]["schema"])
    status, body, _ = send(f"{base}/emulator/v0/clock/advance", "POST", "{}")
    check(status == 400 and advance.get("minProperties") == 1,
          "POST /clock/advance {}: refused, and the document asks for one property",
          f"{status} {body} {advance}")

    # --- A bodiless Set Session Status ---------------------------------
    session = emulator.session_manager().create_session("default", "{}")
    api = emulator.payload_api_of(session["id"])
    status_op = doc["paths"]["/api/v0/session-manager/status"]["post"]
    send(f"http://{api}/api/v0/session-manager/status", "POST", '{"phase": "lobby"}')
    status, body, _ = send(f"http://{api}/api/v0/session-manager/status", "POST", "")
    after = emulator.payload(session["id"]).session_status()
    check(status == 400 and after == {"phase": "lobby"} and status_op["requestBody"]["required"],
          "a bodiless Set Session Status is refused, changes nothing, and the document requires "
          "the body", f"{status} {body}; status after: {after}")

    # --- Fault APIs ------------------------------------------------------
    fault_apis = resolve(doc["components"]["schemas"]["FaultSpec"])["properties"]["api"]["enum"]
    for api_name in fault_apis:
        status, body, _ = send(f"{base}/emulator/v0/faults", "POST",
                               json.dumps({"api": api_name, "status": 503, "path": "/nowhere"}))
        check(status == 200, f"the documented fault api {api_name!r} is taken", f"{status} {body}")
    status, body, _ = send(f"{base}/emulator/v0/faults", "POST",
                           '{"api": "control", "status": 503}')
    check(status == 400 and "control" not in fault_apis,
          "a fault on the control API: neither documented nor taken", f"{status} {body}")
    emulator.clear_faults()

    # --- The Payload Local API's server entries -------------------------
    servers = doc["paths"]["/api/v0/payload"]["servers"]
    emulator.reset()
    payload = emulator.state()["payloads"][0]
    host_port = payload["orchestration_payload_api"]
    addresses = {"its own port": host_port,
                 "the main port": base.removeprefix("http://") + "/payloads/" + payload["id"]}
    for what, address in addresses.items():
        url = "http://" + address + "/api/v0/payload"
        matching = []
        for server in servers:
            template = re.escape(server["url"]).replace(r"\{", "{").replace(r"\}", "}")
            pattern = re.sub(r"\{\w+\}", "[^/]+", template) + re.escape("/api/v0/payload") + "$"
            if re.match(pattern, url):
                matching.append(server["url"])
        status, body, _ = send(url, "GET")
        check(len(matching) == 1 and status == 200 and body["result"]["id"] == payload["id"],
              f"a payload's ORCHESTRATION_PAYLOAD_API on {what} ({address}) matches one documented "
              f"server ({matching}) and is answered", f"{status} {body}")
finally:
    emulator.stop()
t.finish(at_least=100)
