// The answers the kit reads, as IMS and the control API name their fields
// (docs/openapi.json). Times are RFC 3339 strings, as sent.
using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace ImsEmulator
{
    public class Port
    {
        [JsonProperty("name")] public string Name;
        [JsonProperty("port")] public int Number;
    }

    /// <summary>What Create Session answers a game client.</summary>
    public class CreatedSession
    {
        [JsonProperty("id")] public string Id;
        [JsonProperty("address")] public string Address;
        [JsonProperty("ports")] public List<Port> Ports = new List<Port>();
    }

    /// <summary>A session as List Sessions shows it (its status as the
    /// Session Manager's cache has it).</summary>
    public class ListedSession : CreatedSession
    {
        [JsonProperty("session_status")] public Dictionary<string, string> SessionStatus = new Dictionary<string, string>();
    }

    public class PayloadStatus
    {
        [JsonProperty("state")] public string State;
        [JsonProperty("details")] public string Details;
        [JsonProperty("address")] public string Address;
        [JsonProperty("ports")] public List<Port> Ports = new List<Port>();
        [JsonProperty("last_reserved")] public string LastReserved;
        [JsonProperty("started")] public string Started;
    }

    public class Metadata
    {
        [JsonProperty("labels")] public Dictionary<string, string> Labels = new Dictionary<string, string>();
        [JsonProperty("annotations")] public Dictionary<string, string> Annotations = new Dictionary<string, string>();
    }

    /// <summary>A payload (one game-server instance), as the Payload Local
    /// API and the orchestration API show it.</summary>
    public class Payload
    {
        [JsonProperty("id")] public string Id;
        [JsonProperty("cluster_id")] public string ClusterId;
        [JsonProperty("allocation_id")] public string AllocationId;
        [JsonProperty("status")] public PayloadStatus Status = new PayloadStatus();
        [JsonProperty("created")] public string Created;
        [JsonProperty("metadata")] public Metadata Metadata = new Metadata();
    }

    public class ClockInfo
    {
        [JsonProperty("mode")] public string Mode;
        [JsonProperty("now")] public string Now;
        [JsonProperty("unix_ms")] public long UnixMs;
        [JsonProperty("next_timer")] public string NextTimer;
        public bool IsVirtual { get { return Mode == "virtual"; } }
    }

    /// <summary>A payload in the world's state: what the game server set,
    /// and where its Payload Local API is.</summary>
    public class WorldPayload : Payload
    {
        [JsonProperty("project_id")] public string ProjectId;
        [JsonProperty("orchestration_payload_api")] public string OrchestrationPayloadApi;
        [JsonProperty("session_status")] public Dictionary<string, string> SessionStatus = new Dictionary<string, string>();
        [JsonProperty("state_since")] public string StateSince;
        public string State { get { return Status.State; } }
    }

    /// <summary>A session in the world's state: the status the server set,
    /// and what clients see of it (past the status cache).</summary>
    public class WorldSession
    {
        [JsonProperty("id")] public string Id;
        [JsonProperty("project_id")] public string ProjectId;
        [JsonProperty("allocation_id")] public string AllocationId;
        [JsonProperty("session_type")] public string SessionType;
        [JsonProperty("session_status")] public Dictionary<string, string> SessionStatus = new Dictionary<string, string>();
        [JsonProperty("clients_see")] public Dictionary<string, string> ClientsSee = new Dictionary<string, string>();
        [JsonProperty("clients_see_latest_at")] public string ClientsSeeLatestAt;
    }

    /// <summary>The whole world (GET /emulator/v0/state).</summary>
    public class WorldState
    {
        [JsonProperty("clock")] public ClockInfo Clock = new ClockInfo();
        [JsonProperty("projects")] public List<string> Projects = new List<string>();
        [JsonProperty("allocations")] public JArray Allocations = new JArray();
        [JsonProperty("payloads")] public List<WorldPayload> Payloads = new List<WorldPayload>();
        [JsonProperty("sessions")] public List<WorldSession> Sessions = new List<WorldSession>();

        public WorldPayload FindPayload(string id)
        {
            return Payloads.FirstOrDefault(p => p.Id == id);
        }

        public WorldSession FindSession(string id)
        {
            return Sessions.FirstOrDefault(s => s.Id == id);
        }

        public int CountInState(string state)
        {
            return Payloads.Count(p => p.State == state);
        }

        /// <summary>One line a person reads: the clock, each payload's state,
        /// each session's status and what clients see.</summary>
        public override string ToString()
        {
            var payloads = string.Join(", ", Payloads.Select(p => p.Id + " " + p.State).ToArray());
            var sessions = string.Join(", ", Sessions.Select(s => s.Id + " server set " + Describe(s.SessionStatus) +
                                                                  ", clients see " + Describe(s.ClientsSee)).ToArray());
            return "clock " + Clock.Now + "; payloads: " + (payloads.Length == 0 ? "none" : payloads) +
                   "; sessions: " + (sessions.Length == 0 ? "none" : sessions);
        }

        internal static string Describe(Dictionary<string, string> map)
        {
            return "{" + string.Join(", ", map.OrderBy(kv => kv.Key, System.StringComparer.Ordinal)
                                             .Select(kv => kv.Key + "=" + kv.Value).ToArray()) + "}";
        }
    }

    /// <summary>One event of the journal (GET /emulator/v0/events).</summary>
    public class JournalEvent
    {
        [JsonProperty("seq")] public long Seq;
        [JsonProperty("time")] public string Time;
        [JsonProperty("kind")] public string Kind;
        [JsonProperty("level")] public string Level;
        [JsonProperty("payload_id")] public string PayloadId;
        [JsonProperty("old_state")] public string OldState;
        [JsonProperty("new_state")] public string NewState;
        [JsonProperty("detail")] public string Detail;

        public override string ToString()
        {
            var parts = new List<string> { "#" + Seq, Time, Kind };
            if (!string.IsNullOrEmpty(PayloadId)) parts.Add(PayloadId);
            if (!string.IsNullOrEmpty(OldState) && !string.IsNullOrEmpty(NewState)) parts.Add(OldState + "->" + NewState);
            else if (!string.IsNullOrEmpty(NewState)) parts.Add(NewState);
            if (!string.IsNullOrEmpty(Detail)) parts.Add(Detail);
            if (!string.IsNullOrEmpty(Level) && Level != "info") parts.Add("[" + Level + "]");
            return string.Join(" ", parts.ToArray());
        }
    }

    /// <summary>A fault to inject (POST /emulator/v0/faults). Api: "any",
    /// "payload-local", "session-manager" or "orchestration".</summary>
    public class FaultSpec
    {
        [JsonProperty("api", NullValueHandling = NullValueHandling.Ignore)] public string Api;
        [JsonProperty("method", NullValueHandling = NullValueHandling.Ignore)] public string Method;
        [JsonProperty("path", NullValueHandling = NullValueHandling.Ignore)] public string Path;
        [JsonProperty("status", NullValueHandling = NullValueHandling.Ignore)] public int? Status;
        [JsonProperty("delay_ms", NullValueHandling = NullValueHandling.Ignore)] public int? DelayMs;
        [JsonProperty("times", NullValueHandling = NullValueHandling.Ignore)] public int? Times;
        [JsonProperty("probability", NullValueHandling = NullValueHandling.Ignore)] public double? Probability;
        [JsonProperty("message", NullValueHandling = NullValueHandling.Ignore)] public string Message;
    }
}
