// ims-emulator as a Testcontainers module: ImsEmulatorContainer starts the
// image (localhost/ims-emulator by default) with the virtual clock and hands
// back an ImsEmulator: typed clients generated from the emulator's OpenAPI
// document (openapi-fetch over openapi-typescript's types), reset, the
// virtual clock, faults, snapshots, the journal, and waits that move the
// virtual clock instead of sleeping. ImsEmulator.attach(url) drives one that
// is already running (IMS_EMULATOR_URL).
import createClient, { type Client } from "openapi-fetch";
import { AbstractStartedContainer, GenericContainer, type StartedTestContainer, Wait } from "testcontainers";
import type { components, paths } from "./generated/ims-emulator.js";

export type { components, paths };
export type WorldState = components["schemas"]["WorldState"];
export type WorldPayload = components["schemas"]["WorldPayload"];
export type Clock = components["schemas"]["Clock"];
export type Event = components["schemas"]["Event"];
export type FaultSpec = components["schemas"]["FaultSpec"];
export type Fault = components["schemas"]["Fault"];
export type Payload = components["schemas"]["Payload"];
export type ApiClient = Client<paths>;

const MAIN_PORT = 9350;

/** An answer with an error status, with the emulator's message. */
export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly apiMessage: string,
  ) {
    super(`${method} ${path} -> ${status}: ${apiMessage}`);
    this.name = "ApiError";
  }
}

/** A wait that did not see what it waited for; its message names what was
 * awaited, how far the virtual clock moved, the world at the end and the
 * journal's newest events. */
export class WaitTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WaitTimeoutError";
  }
}

/** How long a wait may take: under the virtual clock it moves the clock to
 * each next armed deadline, `virtualSeconds` in all; when nothing is armed
 * (a real game server on its way) it polls, `realSeconds` at most. */
export interface WaitLimits {
  virtualSeconds?: number;
  realSeconds?: number;
  pollMilliseconds?: number;
}

/** The data of an openapi-fetch answer, or an ApiError with its message. */
async function ok<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
  method: string,
  path: string,
): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || data === undefined) {
    const message = (error as { message?: string } | undefined)?.message ?? response.statusText;
    throw new ApiError(method, path, response.status, message);
  }
  return data;
}

const unixMs = (rfc3339: string) => Date.parse(rfc3339);

/** One journal event as a line a person reads. */
export function describeEvent(e: Event): string {
  const parts: string[] = [`#${e.seq}`, e.time, e.kind];
  if (e.payload_id) parts.push(e.payload_id);
  if (e.old_state && e.new_state) parts.push(`${e.old_state}->${e.new_state}`);
  else if (e.new_state) parts.push(e.new_state);
  if (e.detail) parts.push(e.detail);
  if (e.level !== "info") parts.push(`[${e.level}]`);
  return parts.join(" ");
}

/** One emulator, started or attached to, and its typed clients. */
export class ImsEmulator {
  /** The main port's typed client: the Session Manager, orchestration and
   * control API (a game client's bearer token is sent with every call). */
  readonly api: ApiClient;

  constructor(
    readonly baseUrl: string,
    token = "playfab/local-player",
  ) {
    this.api = createClient<paths>({
      baseUrl,
      headers: { Authorization: `Bearer secret-token:${token}` },
    });
  }

  /** The emulator at `url` (else $IMS_EMULATOR_URL), already running. */
  static async attach(url = process.env.IMS_EMULATOR_URL): Promise<ImsEmulator> {
    if (!url) throw new Error("attach: no url given and IMS_EMULATOR_URL is not set");
    const emulator = new ImsEmulator(url.replace(/\/$/, ""));
    await emulator.state();
    return emulator;
  }

  /** A game server's typed Payload Local API for `payloadId` (through the
   * main port's /payloads/{id}, which a container's port mapping reaches). */
  payloadApi(payloadId: string): ApiClient {
    return createClient<paths>({ baseUrl: `${this.baseUrl}/payloads/${encodeURIComponent(payloadId)}` });
  }

  state(): Promise<WorldState> {
    return ok(this.api.GET("/emulator/v0/state"), "GET", "/emulator/v0/state");
  }

  clock(): Promise<Clock> {
    return ok(this.api.GET("/emulator/v0/clock"), "GET", "/emulator/v0/clock");
  }

  /** The world its fixture makes, afresh (the clock goes on; new payloads
   * get new ids); and no faults. */
  async reset(): Promise<void> {
    await ok(this.api.POST("/emulator/v0/reset"), "POST", "/emulator/v0/reset");
    await ok(this.api.DELETE("/emulator/v0/faults"), "DELETE", "/emulator/v0/faults");
  }

  /** $IMS_EMULATOR_PROJECT, else the world's first project. */
  async project(): Promise<string> {
    return process.env.IMS_EMULATOR_PROJECT ?? [...(await this.state()).projects].sort()[0];
  }

  /** $IMS_EMULATOR_SESSION_TYPE, else the first project's first allocation's. */
  async sessionType(): Promise<string> {
    if (process.env.IMS_EMULATOR_SESSION_TYPE) return process.env.IMS_EMULATOR_SESSION_TYPE;
    const project = await this.project();
    const allocation = (await this.state()).allocations.find(
      (a) => a.project_id === project && a.annotations.session_type,
    );
    if (!allocation) throw new Error(`no allocation of project ${project} has a session_type`);
    return allocation.annotations.session_type;
  }

  async payloadIds(state?: string): Promise<string[]> {
    return (await this.state()).payloads
      .filter((p) => state === undefined || p.status.state === state)
      .map((p) => p.id);
  }

  // --- The virtual clock ---------------------------------------------------

  /** Moves the virtual clock, applying everything due on the way. */
  advance(seconds: number): Promise<Clock> {
    return ok(this.api.POST("/emulator/v0/clock/advance", { body: { seconds } }), "POST", "/clock/advance");
  }

  /** Moves the clock to the next armed deadline (409 when none is). */
  advanceToNextTimer(): Promise<Clock> {
    return ok(this.api.POST("/emulator/v0/clock/advance", { body: { to: "next_timer" } }), "POST", "/clock/advance");
  }

  /** Moves the clock just far enough that List Sessions shows every status
   * set before (the Session Manager's cache). */
  async advancePastStatusCache(): Promise<Clock> {
    const state = await this.state();
    const due = state.sessions.map((s) => (s.clients_see_latest_at ? unixMs(s.clients_see_latest_at) : 0));
    const latest = Math.max(0, ...due);
    if (latest > state.clock.unix_ms) return this.advance((latest - state.clock.unix_ms) / 1000);
    return state.clock;
  }

  // --- Faults, snapshots, the journal --------------------------------------

  async addFault(spec: FaultSpec): Promise<Fault> {
    return (await ok(this.api.POST("/emulator/v0/faults", { body: spec }), "POST", "/emulator/v0/faults")).result;
  }

  async faults(): Promise<Fault[]> {
    return (await ok(this.api.GET("/emulator/v0/faults"), "GET", "/emulator/v0/faults")).faults;
  }

  async exitPayload(payloadId: string, code = 0): Promise<void> {
    await ok(
      this.api.POST("/emulator/v0/payloads/{payload}/exit", { params: { path: { payload: payloadId } }, body: { code } }),
      "POST",
      `/emulator/v0/payloads/${payloadId}/exit`,
    );
  }

  async takePayloadApiDown(payloadId: string, seconds: number): Promise<void> {
    await ok(
      this.api.POST("/emulator/v0/payloads/{payload}/api-down", {
        params: { path: { payload: payloadId } },
        body: { seconds },
      }),
      "POST",
      `/emulator/v0/payloads/${payloadId}/api-down`,
    );
  }

  async takeSnapshot(name: string): Promise<void> {
    await ok(this.api.POST("/emulator/v0/snapshots/{name}", { params: { path: { name } } }), "POST", `/snapshots/${name}`);
  }

  async restoreSnapshot(name: string): Promise<void> {
    await ok(
      this.api.POST("/emulator/v0/snapshots/{name}/restore", { params: { path: { name } } }),
      "POST",
      `/snapshots/${name}/restore`,
    );
  }

  async events(last = 40): Promise<Event[]> {
    return (await ok(this.api.GET("/emulator/v0/events", { params: { query: { last } } }), "GET", "/events")).events;
  }

  /** The journal's newest `last` events, one line each. */
  async journal(last = 40): Promise<string> {
    return (await this.events(last)).map(describeEvent).join("\n");
  }

  // --- Waits ---------------------------------------------------------------

  /** Waits until `done(state)` holds and returns that state (see
   * WaitLimits); throws WaitTimeoutError naming `what`. */
  async waitUntil(what: string, done: (state: WorldState) => boolean, limits: WaitLimits = {}): Promise<WorldState> {
    const virtualSeconds = limits.virtualSeconds ?? 600;
    const realSeconds = limits.realSeconds ?? 30;
    const began = Date.now();
    let startMs: number | undefined;
    for (;;) {
      const state = await this.state();
      if (done(state)) return state;
      startMs ??= state.clock.unix_ms;
      const next = state.clock.mode === "virtual" ? state.clock.next_timer : undefined;
      if (next && unixMs(next) - startMs <= virtualSeconds * 1000) {
        await this.advanceToNextTimer();
        continue;
      }
      if (Date.now() - began >= realSeconds * 1000) {
        const why = next
          ? `its next deadline (${next}) is past the wait's ${virtualSeconds} s`
          : `then nothing was armed for ${realSeconds} s of real time`;
        throw new WaitTimeoutError(
          `waited in vain for ${what}: the virtual clock moved ${state.clock.unix_ms - startMs} ms, ${why}\n` +
            `at the end: ${describeState(state)}\nthe journal's newest events:\n${await this.journal()}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, limits.pollMilliseconds ?? 5));
    }
  }

  waitForPayloadState(payloadId: string, state: string, limits?: WaitLimits): Promise<WorldState> {
    return this.waitUntil(
      `payload ${payloadId} to be ${state}`,
      (w) => w.payloads.some((p) => p.id === payloadId && p.status.state === state),
      limits,
    );
  }

  /** Waits until game clients see key=value in the session's status in List
   * Sessions (past the status cache). */
  waitForClientsToSee(sessionId: string, key: string, value: string, limits?: WaitLimits): Promise<WorldState> {
    return this.waitUntil(
      `clients to see ${key}=${value} in session ${sessionId}`,
      (w) => w.sessions.some((s) => s.id === sessionId && s.clients_see[key] === value),
      limits,
    );
  }
}

function describeState(state: WorldState): string {
  const map = (m: Record<string, string>) =>
    `{${Object.keys(m)
      .sort()
      .map((k) => `${k}=${m[k]}`)
      .join(", ")}}`;
  const payloads = state.payloads.map((p) => `${p.id} ${p.status.state}`).join(", ") || "none";
  const sessions =
    state.sessions
      .map((s) => `${s.id} server set ${map(s.session_status)}, clients see ${map(s.clients_see)}`)
      .join(", ") || "none";
  return `clock ${state.clock.now}; payloads: ${payloads}; sessions: ${sessions}`;
}

/** A started container (as Testcontainers' own modules hand back) and the
 * emulator in it. */
export class StartedImsEmulatorContainer extends AbstractStartedContainer {
  readonly emulator: ImsEmulator;

  constructor(started: StartedTestContainer) {
    super(started);
    this.emulator = new ImsEmulator(this.getBaseUrl());
  }

  /** The main port as the host reaches it: http://host:port. */
  getBaseUrl(): string {
    return `http://${this.getHost()}:${this.getMappedPort(MAIN_PORT)}`;
  }
}

/** ims-emulator's image, serving on its main port with the virtual clock. */
export class ImsEmulatorContainer extends GenericContainer {
  private readonly serveArgs: string[] = [];

  constructor(image = "localhost/ims-emulator:latest") {
    super(image);
    this.withExposedPorts(MAIN_PORT).withWaitStrategy(Wait.forLogMessage("ims-emulator listening on"));
  }

  /** More serve flags, e.g. withServeArgs("--status-cache", "delay"). */
  withServeArgs(...args: string[]): this {
    this.serveArgs.push(...args);
    return this;
  }

  /** The world to start with, copied into the container. */
  withFixture(hostPath: string): this {
    this.withCopyFilesToContainer([{ source: hostPath, target: "/home/ims/fixture.json" }]);
    return this.withServeArgs("--fixture", "/home/ims/fixture.json");
  }

  override async start(): Promise<StartedImsEmulatorContainer> {
    // The payloads' own ports are inside the container: every game server
    // and test reaches the Payload Local API through the main port.
    this.withCommand(["serve", "--clock", "virtual", "--port", String(MAIN_PORT), "--shared-port", ...this.serveArgs]);
    return new StartedImsEmulatorContainer(await super.start());
  }
}
