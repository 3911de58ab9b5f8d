// Clients of IMS's own APIs as the emulator serves them: the Session Manager
// (what a game client calls), the Payload Local API (what a game server
// calls) and the orchestration API.
using System.Collections.Generic;
using Newtonsoft.Json.Linq;

namespace ImsEmulator
{
    /// <summary>A game client's Session Manager for one project. The token is
    /// sent as "Authorization: Bearer secret-token:&lt;token&gt;" (IMS's form);
    /// any well-formed token passes unless the emulator runs with --auth.</summary>
    public class SessionManagerClient
    {
        readonly string baseUrl, project;
        readonly Dictionary<string, string> headers;

        public SessionManagerClient(string baseUrl, string project, string token = "playfab/local-player")
        {
            this.baseUrl = baseUrl;
            this.project = project;
            headers = new Dictionary<string, string> { { "Authorization", "Bearer secret-token:" + token } };
        }

        /// <summary>Reserves a Ready game server of the allocation whose
        /// session_type matches (500 when none is free).</summary>
        public CreatedSession CreateSession(string sessionType, string sessionConfig = null)
        {
            var body = new JObject();
            if (sessionConfig != null) body["session_config"] = sessionConfig;
            return Http.Call(baseUrl, "POST", Path(), body.ToString(), Query(sessionType), headers)
                .ToObject<CreatedSession>();
        }

        /// <summary>Each session with its status as the Session Manager's
        /// cache shows it (up to 12 s late).</summary>
        public List<ListedSession> ListSessions(string sessionType)
        {
            return Http.Call(baseUrl, "GET", Path(), null, Query(sessionType), headers)["sessions"]
                .ToObject<List<ListedSession>>();
        }

        string Path()
        {
            return "/api/v0/projects/" + Http.Segment(project) + "/sessions";
        }

        static Dictionary<string, string> Query(string sessionType)
        {
            return new Dictionary<string, string> { { "session_type", sessionType } };
        }
    }

    /// <summary>A game server's Payload Local API. The address is an
    /// ORCHESTRATION_PAYLOAD_API value: host:port, or
    /// host:port/payloads/{id}, without a scheme.</summary>
    public class PayloadApiClient
    {
        readonly string baseUrl;

        public PayloadApiClient(string address)
        {
            baseUrl = "http://" + address;
        }

        public Payload GetPayload()
        {
            return Http.Call(baseUrl, "GET", "/api/v0/payload")["result"].ToObject<Payload>();
        }

        public string State()
        {
            return GetPayload().Status.State;
        }

        public void Ready()
        {
            Http.Call(baseUrl, "POST", "/api/v0/ready", "{}");
        }

        public void SetLabel(string key, string value)
        {
            Http.Call(baseUrl, "PUT", "/api/v0/metadata/label", new JObject { { "key", key }, { "value", value } }.ToString());
        }

        public void SetAnnotation(string key, string value)
        {
            Http.Call(baseUrl, "PUT", "/api/v0/metadata/annotation", new JObject { { "key", key }, { "value", value } }.ToString());
        }

        /// <summary>The session config the game client sent; null before a session.</summary>
        public string GetSessionConfig()
        {
            return (string)Http.Call(baseUrl, "GET", "/api/v0/session-manager/config")["config"];
        }

        public Dictionary<string, string> GetSessionStatus()
        {
            return Http.Call(baseUrl, "GET", "/api/v0/session-manager/status").ToObject<Dictionary<string, string>>();
        }

        /// <summary>Replaces the whole status: a flat map of strings (an empty
        /// one clears it).</summary>
        public void SetSessionStatus(IDictionary<string, string> status)
        {
            Http.Call(baseUrl, "POST", "/api/v0/session-manager/status", JObject.FromObject(status).ToString());
        }
    }

    /// <summary>IMS's orchestration API for one project, as the emulator serves it.</summary>
    public class OrchestrationClient
    {
        readonly string baseUrl, prefix;

        public OrchestrationClient(string baseUrl, string project)
        {
            this.baseUrl = baseUrl;
            prefix = "/api/v0/projects/" + Http.Segment(project) + "/allocations";
        }

        public JArray ListAllocations()
        {
            return (JArray)Http.Call(baseUrl, "GET", prefix)["results"];
        }

        public JObject CreateAllocation(JObject spec)
        {
            return (JObject)Http.Call(baseUrl, "POST", prefix, spec.ToString())["result"];
        }

        public List<Payload> ListPayloads(string allocationId)
        {
            return Http.Call(baseUrl, "GET", prefix + "/" + Http.Segment(allocationId) + "/payloads")["results"]
                .ToObject<List<Payload>>();
        }

        /// <summary>Reserves one payload (412 when none matches). Selectors:
        /// [{"match_labels": {...}, "payload_state": "Ready"|"Reserved"}].</summary>
        public Payload Reserve(string allocationId, JArray selectors = null, JObject payloadMetadata = null)
        {
            var body = new JObject();
            if (selectors != null) body["selectors"] = selectors;
            if (payloadMetadata != null) body["payload_metadata"] = payloadMetadata;
            return Http.Call(baseUrl, "POST", prefix + "/" + Http.Segment(allocationId) + "/reservations",
                             body.ToString())["result"].ToObject<Payload>();
        }

        public void DeletePayload(string allocationId, string payloadId, bool force = false)
        {
            Http.Call(baseUrl, "DELETE", prefix + "/" + Http.Segment(allocationId) + "/payloads/" + Http.Segment(payloadId),
                      null, new Dictionary<string, string> { { "force_delete", force ? "true" : null } });
        }
    }
}
