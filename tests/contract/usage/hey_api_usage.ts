// The seed flow as a TypeScript service writes it with @hey-api/openapi-ts's
// client: typed paths, queries, bodies and answers.
import { createClient } from "./hey-api/client";
import {
  advanceClock,
  createSession,
  getState,
  listSessions,
  setSessionStatus,
} from "./hey-api/sdk.gen";

export async function seedFlow(baseUrl: string): Promise<string | undefined> {
  const client = createClient({ baseUrl });
  const created = await createSession({
    client,
    path: { project: "local-project" },
    query: { session_type: "default" },
    body: { session_config: '{"map":"dust"}' },
    headers: { Authorization: "Bearer secret-token:playfab/player" },
  });
  const id: string | undefined = created.data?.id;
  const payloadApi = createClient({ baseUrl: `${baseUrl}/payloads/${id}` });
  await setSessionStatus({ client: payloadApi, body: { phase: "lobby" } });
  await advanceClock({ client, body: { seconds: 12 } });
  const state = await getState({ client });
  const seen = state.data?.sessions.find((s) => s.id === id)?.clients_see["phase"];
  const listed = await listSessions({
    client,
    path: { project: "local-project" },
    query: { session_type: "default" },
  });
  return seen ?? listed.data?.sessions[0]?.session_status["phase"];
}
