// What a TypeScript service writes against openapi-typescript's types: each
// assignment fails to compile if the document loses the field (or a body
// becomes Record<string, never>).
import type { components, paths } from "./openapi-typescript/schema";

type Json<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: { 200: { content: { "application/json": infer B } } };
}
  ? B
  : never;

export const session: components["schemas"]["Session"] = {
  id: "sslw4-6ddev",
  address: "127.0.0.1",
  ports: [{ name: "GamePort", port: 30000 }],
};
export const listed: Json<"/api/v0/projects/{project}/sessions", "get">["sessions"][number] = {
  ...session,
  session_status: { phase: "lobby" },
};
export const exported: Json<"/emulator/v0/export", "get">["clock"]["mode"] = "virtual";
export const document: Json<"/emulator/v0/openapi.json", "get">["openapi"] = "3.0.3";
export const trace: Json<"/emulator/v0/timeline", "get">["traceEvents"][number]["ph"] = "X";
export const reservation: NonNullable<
  paths["/api/v0/projects/{project}/allocations/{allocation}/reservations"]["post"]["requestBody"]
>["content"]["application/json"] = {
  selectors: [{ match_labels: [], payload_state: "Ready" }, { match_labels: { map: "dust" } }],
};
export const advance: NonNullable<
  paths["/emulator/v0/clock/advance"]["post"]["requestBody"]
>["content"]["application/json"] = { to: "next_timer" };
