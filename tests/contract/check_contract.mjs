// The OpenAPI contract: docs/openapi.json is valid (swagger-parser, a
// maintained OpenAPI 3 validator), and every answer in the exchange logs
// (IMSEMU_EXCHANGE_LOG, written while the HTTP tests ran) is one the document
// describes: a documented operation, a documented status, a body of its
// schema. Every operation must have been answered with 200 at least once, so
// a document that describes what no test exercises fails too.
//
// Usage: node check_contract.mjs OPENAPI.json EXCHANGES.jsonl...
import fs from "node:fs";
import SwaggerParser from "@apidevtools/swagger-parser";
import Ajv from "ajv";
import addFormats from "ajv-formats";

const [docPath, ...logs] = process.argv.slice(2);
if (!docPath || logs.length === 0) {
  console.error("usage: check_contract.mjs OPENAPI.json EXCHANGES.jsonl...");
  process.exit(2);
}
const text = fs.readFileSync(docPath, "utf8");
let failures = 0;
const fail = (what, detail) => {
  failures += 1;
  console.log(`FAIL ${what}${detail ? "\n  " + detail : ""}`);
};

try {
  await SwaggerParser.validate(JSON.parse(text));
  console.log(`ok   ${docPath} is a valid OpenAPI ${JSON.parse(text).openapi} document`);
} catch (e) {
  fail(`${docPath} is not a valid OpenAPI document`, e.message);
  process.exit(1);
}
const doc = await SwaggerParser.dereference(JSON.parse(text));
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);

// Every operation: its method, a regex of its path, and where a Payload Local
// API path is also served (under /payloads/{id} on the main port).
const operations = [];
const escape = (s) => s.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
const pattern = (template) => escape(template).replace(/\\?\{[^}]+\\?\}|\{[^}]+\}/g, "[^/]+");
// A path item's own servers (the Payload Local API's: a payload's own port,
// and /payloads/{payload} on the main port) prefix its path with theirs.
const serverPath = (url) => url.replace(/^[a-z]+:\/\/[^/]*/, "");
for (const [path, item] of Object.entries(doc.paths)) {
  const payloadApi = Array.isArray(item.servers);
  const prefixes = payloadApi ? item.servers.map((s) => pattern(serverPath(s.url))) : [""];
  const regex = new RegExp(`^(?:${prefixes.join("|")})${pattern(path)}$`);
  for (const method of ["get", "put", "post", "delete", "patch"]) {
    if (!item[method]) continue;
    operations.push({ id: item[method].operationId, method: method.toUpperCase(), path, regex,
                      payloadApi, responses: item[method].responses, seen: 0, validators: {} });
  }
}
const ours = (path) => /^\/(api|emulator|payloads)\//.test(path);

let checked = 0;
for (const file of logs) {
  const lines = fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "");
  for (const [n, line] of lines.entries()) {
    const x = JSON.parse(line);
    const where = `${file}:${n + 1}: ${x.method} ${x.path}${x.query ? "?" + x.query : ""} -> ${x.status}`;
    const op = operations.find((o) => o.method === x.method && o.regex.test(x.path) &&
                                      (o.payloadApi || x.listener === "main"));
    if (!op) {
      // Not an operation (an unknown path, a refused method, the dashboard's
      // files): only a successful JSON answer there is a disagreement.
      if (ours(x.path) && x.status < 300 && String(x.content_type).startsWith("application/json")) {
        fail("an answer the document does not describe", where);
      }
      continue;
    }
    const key = String(x.status) in op.responses ? String(x.status) : "default";
    if (key === "default" && x.status < 300) {
      fail(`${op.id}: status ${x.status} is not documented`, where);
      continue;
    }
    const content = op.responses[key].content?.["application/json"];
    if (!content) {
      fail(`${op.id}: status ${x.status} documents no JSON body`, where);
      continue;
    }
    if (!String(x.content_type).startsWith("application/json")) {
      fail(`${op.id}: answered ${x.content_type}, not JSON`, where);
      continue;
    }
    op.validators[key] ??= ajv.compile(content.schema);
    const valid = op.validators[key];
    checked += 1;
    if (x.status === 200) op.seen += 1;
    if (!valid(x.body)) {
      fail(`${op.id}: the ${x.status} answer does not match the document`,
           `${where}\n  ${ajv.errorsText(valid.errors, { separator: "\n  " })}\n  ` +
           JSON.stringify(x.body).slice(0, 600));
    }
  }
}
console.log(`${checked} answers checked against ${operations.length} operations`);
for (const op of operations) {
  if (op.seen === 0) fail(`${op.id} (${op.method} ${op.path}) was never answered 200 in the tests`);
}
if (checked === 0) fail("no answer was checked");
console.log(failures === 0 ? "the contract holds" : `${failures} disagreement(s)`);
process.exit(failures === 0 ? 0 : 1);
