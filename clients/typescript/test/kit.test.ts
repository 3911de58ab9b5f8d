// The TypeScript kit through node's test runner, as a service's tests use
// it: the image started once by Testcontainers, the world reset before each
// test, typed clients generated from the document, the clock and the waits.
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import {
  type ApiError,
  ImsEmulator,
  ImsEmulatorContainer,
  type StartedImsEmulatorContainer,
  type WaitTimeoutError,
} from "../src/index.js";

let container: StartedImsEmulatorContainer;
let emulator: ImsEmulator;
let sessionType: string;
let project: string;

before(async () => {
  container = await new ImsEmulatorContainer(process.env.IMS_EMULATOR_IMAGE).start();
  emulator = container.emulator;
  project = await emulator.project();
  sessionType = await emulator.sessionType();
});
after(async () => {
  await container?.stop();
});
beforeEach(async () => {
  await emulator.reset();
});

async function createSession(config?: string) {
  const { data, error } = await emulator.api.POST("/api/v0/projects/{project}/sessions", {
    params: { path: { project }, query: { session_type: sessionType } },
    body: config === undefined ? {} : { session_config: config },
  });
  assert.ok(data, `create session: ${JSON.stringify(error)}`);
  return data;
}

async function listSessions() {
  const { data } = await emulator.api.GET("/api/v0/projects/{project}/sessions", {
    params: { path: { project }, query: { session_type: sessionType } },
  });
  assert.ok(data);
  return data.sessions;
}

test("seed flow: a client sees the status the server set, after the cache", async () => {
  const created = await createSession('{"map": "dust"}');
  assert.equal(created.ports[0].name, "GamePort");

  const server = emulator.payloadApi(created.id);
  const payload = await server.GET("/api/v0/payload");
  assert.equal(payload.data?.result.status.state, "Reserved");
  const config = await server.GET("/api/v0/session-manager/config");
  assert.equal(config.data?.config, '{"map": "dust"}');
  const set = await server.POST("/api/v0/session-manager/status", { body: { phase: "lobby", map: "dust" } });
  assert.equal(set.response.status, 200);

  assert.deepEqual((await listSessions())[0].session_status, {});
  await emulator.waitForClientsToSee(created.id, "phase", "lobby");
  assert.deepEqual((await listSessions())[0].session_status, { phase: "lobby", map: "dust" });
});

test("advancePastStatusCache moves the clock no further than needed", async () => {
  const created = await createSession();
  const before = (await emulator.clock()).unix_ms;
  await emulator.payloadApi(created.id).POST("/api/v0/session-manager/status", { body: { phase: "playing" } });
  await emulator.advancePastStatusCache();
  const moved = (await emulator.clock()).unix_ms - before;
  assert.ok(moved > 0 && moved <= 12000, `moved ${moved} ms`);
  assert.deepEqual((await listSessions())[0].session_status, { phase: "playing" });
});

test("a fault fails the next create, then the Session Manager answers again", async () => {
  await emulator.addFault({ api: "session-manager", status: 503, times: 1, message: "down for a test" });
  const refused = await emulator.api.POST("/api/v0/projects/{project}/sessions", {
    params: { path: { project }, query: { session_type: sessionType } },
    body: {},
  });
  assert.equal(refused.response.status, 503);
  assert.equal(refused.error?.message, "down for a test");
  await createSession();
  assert.equal((await emulator.faults())[0].fired, 1);
});

test("a game server that exits is replaced", async () => {
  const created = await createSession();
  await emulator.exitPayload(created.id, 0);
  await emulator.waitUntil("the buffer to be refilled", (w) => w.payloads.filter((p) => p.status.state === "Ready").length === 2);
  assert.ok(!(await emulator.payloadIds("Ready")).includes(created.id));
});

test("snapshots take the world back; reset gives the fixture again", async () => {
  await emulator.takeSnapshot("before");
  await createSession();
  await emulator.restoreSnapshot("before");
  assert.deepEqual((await emulator.state()).sessions, []);
  await createSession();
  await emulator.reset();
  assert.deepEqual((await emulator.state()).sessions, []);
});

test("errors name the field and the rule", async () => {
  await assert.rejects(emulator.addFault({ status: 200 }), (e: ApiError) => {
    assert.equal(e.status, 400);
    assert.match(e.apiMessage, /status must be in 400\.\.599, got 200/);
    return true;
  });
});

test("a wait for what never happens names it and shows the journal", async () => {
  const created = await createSession();
  await emulator.payloadApi(created.id).POST("/api/v0/session-manager/status", { body: { phase: "lobby" } });
  await assert.rejects(
    emulator.waitForClientsToSee(created.id, "phase", "playing", { virtualSeconds: 60, realSeconds: 0.2 }),
    (e: WaitTimeoutError) => {
      assert.match(e.message, new RegExp(`waited in vain for clients to see phase=playing in session ${created.id}`));
      assert.match(e.message, /clients see \{phase=lobby\}/);
      assert.match(e.message, /session\.status/);
      return true;
    },
  );
});

test("attach drives an emulator another process started", async () => {
  const attached = await ImsEmulator.attach(emulator.baseUrl);
  assert.deepEqual((await attached.state()).projects, (await emulator.state()).projects);
  await assert.rejects(ImsEmulator.attach("http://127.0.0.1:9"));
});

test("a status that never becomes visible fails the wait", async () => {
  const staleContainer = await new ImsEmulatorContainer(process.env.IMS_EMULATOR_IMAGE)
    .withServeArgs("--status-cache", "delay", "--status-cache-ttl", "3600")
    .start();
  const stale = staleContainer.emulator;
  try {
    const type = await stale.sessionType();
    const { data } = await stale.api.POST("/api/v0/projects/{project}/sessions", {
      params: { path: { project: await stale.project() }, query: { session_type: type } },
      body: {},
    });
    assert.ok(data);
    await stale.payloadApi(data.id).POST("/api/v0/session-manager/status", { body: { phase: "lobby" } });
    await assert.rejects(stale.waitForClientsToSee(data.id, "phase", "lobby", { realSeconds: 0.2 }), /is past the wait's 600 s/);
  } finally {
    await staleContainer.stop();
  }
});
