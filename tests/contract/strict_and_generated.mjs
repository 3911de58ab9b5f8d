// docs/openapi.json as strict tools and client generators take it, as they
// are, with no flag that skips validation:
// - Redocly's linter on its recommended-strict rules (every warning an
//   error: security stated on every operation, a 4xx on every one, a
//   licence): no problem at all;
// - oas-validate (swagger2openapi's validator): valid;
// - openapi-typescript and @hey-api/openapi-ts generate clients, and tsc
//   (strict) compiles them with usage/*.ts, which calls them the way a
//   TypeScript service would (and would not compile if a body became
//   Record<string, never> or a field went missing).
//
// Usage: node strict_and_generated.mjs OPENAPI.json
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createConfig, lint } from "@redocly/openapi-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = (name) => path.join(here, "node_modules", ".bin", name);
const document = path.resolve(process.argv[2] ?? "");
if (!process.argv[2] || !fs.existsSync(document)) {
  console.error("usage: strict_and_generated.mjs OPENAPI.json");
  process.exit(2);
}
let passed = 0;
let failed = 0;
const check = (ok, what, detail = "") => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${ok || !detail ? "" : "\n" + detail}`);
  ok ? (passed += 1) : (failed += 1);
};
const run = (file, args, cwd = here) => {
  try {
    return { ok: true, out: execFileSync(file, args, { cwd, encoding: "utf8", stdio: "pipe" }) };
  } catch (e) {
    return { ok: false, out: `${e.stdout ?? ""}${e.stderr ?? ""}`.slice(-6000) };
  }
};

const problems = await lint({ ref: document, config: await createConfig({ extends: ["recommended-strict"] }) });
check(problems.length === 0, `Redocly recommended-strict: ${problems.length} problem(s)`,
      problems.map((p) => `  ${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer}`).join("\n"));

const validated = run(bin("oas-validate"), [document]);
check(validated.ok, "oas-validate takes it", validated.out);

const work = fs.mkdtempSync(path.join(os.tmpdir(), "imsemu-generated-"));
const typescript = run(bin("openapi-typescript"), [document, "-o", path.join(work, "openapi-typescript", "schema.d.ts")]);
check(typescript.ok, "openapi-typescript generates types", typescript.out);
const hey = run(bin("openapi-ts"), ["-i", document, "-o", path.join(work, "hey-api"), "-c", "@hey-api/client-fetch"]);
check(hey.ok, "@hey-api/openapi-ts generates a client", hey.out);
for (const usage of fs.readdirSync(path.join(here, "usage"))) {
  fs.copyFileSync(path.join(here, "usage", usage), path.join(work, usage));
}
fs.writeFileSync(path.join(work, "tsconfig.json"), JSON.stringify({
  compilerOptions: { strict: true, noEmit: true, target: "es2022", module: "es2022",
                     moduleResolution: "bundler", lib: ["es2022", "dom", "dom.iterable"] },
  include: ["**/*.ts"],
}));
const compiled = run(bin("tsc"), ["-p", work], work);
check(compiled.ok, "tsc --strict compiles both generated clients and the calls in usage/", compiled.out);
if (failed === 0) fs.rmSync(work, { recursive: true, force: true });
else console.log(`the generated code is in ${work}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
