// Emulator: one ims-emulator, started as a process (serve on a free loopback
// port, virtual clock) or attached to at IMS_EMULATOR_URL, driven through its
// control API: reset, the virtual clock, faults, snapshots, the journal, and
// waits that move the virtual clock instead of sleeping.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using Newtonsoft.Json.Linq;

namespace ImsEmulator
{
    /// <summary>A wait that did not see what it waited for: its message
    /// names what was awaited, how far the virtual clock moved, the world at
    /// the end and the newest journal lines.</summary>
    public class WaitTimeoutException : Exception
    {
        public WaitTimeoutException(string message) : base(message) { }
    }

    /// <summary>How long a wait may take. Under the virtual clock a wait moves
    /// the clock to each next armed deadline (a timer, a status-cache
    /// refresh), VirtualSeconds in all; when nothing is armed (a real game
    /// server on its way) it polls, RealSeconds of real time at most.</summary>
    public class WaitLimits
    {
        public double VirtualSeconds = 600;
        public double RealSeconds = 30;
        public int PollMilliseconds = 5;
    }

    public class Emulator : IDisposable
    {
        const string Banner = "ims-emulator listening on ";
        readonly Process process;
        readonly Queue<string> output = new Queue<string>();

        public string BaseUrl { get; private set; }
        public bool Attached { get { return process == null; } }

        Emulator(string baseUrl, Process process)
        {
            BaseUrl = baseUrl.TrimEnd('/');
            this.process = process;
        }

        // --- Starting and stopping ---------------------------------------

        /// <summary>Starts "ims-emulator serve" on a free port of 127.0.0.1
        /// with the virtual clock. binary: a path, else $IMS_EMULATOR_BINARY,
        /// else ims-emulator on PATH. fixture: a world file (the built-in one
        /// when null). args: more serve flags.</summary>
        public static Emulator Start(string binary = null, string fixture = null, IEnumerable<string> args = null,
                                     int timeoutSeconds = 60)
        {
            binary = binary ?? Environment.GetEnvironmentVariable("IMS_EMULATOR_BINARY") ?? OnPath("ims-emulator");
            if (binary == null || !File.Exists(binary))
            {
                throw new FileNotFoundException(
                    "cannot start ims-emulator: " + (binary == null ? "ims-emulator is not on PATH" : binary + " is not a file") +
                    " (set IMS_EMULATOR_BINARY to its path, or IMS_EMULATOR_URL to attach)");
            }
            var flags = new List<string> { "serve", "--host", "127.0.0.1", "--port", "0", "--clock", "virtual", "--log-level", "warn" };
            if (fixture != null) flags.AddRange(new[] { "--fixture", fixture });
            if (args != null) flags.AddRange(args);
            var info = new ProcessStartInfo(binary, string.Join(" ", flags.Select(Quote).ToArray()))
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                CreateNoWindow = true,
            };
            var started = Process.Start(info);
            var emulator = new Emulator("", started);
            string url = null;
            var ready = new ManualResetEvent(false);
            DataReceivedEventHandler read = (sender, e) =>
            {
                if (e.Data == null) { ready.Set(); return; }
                emulator.Keep(e.Data);
                if (url == null && e.Data.StartsWith(Banner, StringComparison.Ordinal))
                {
                    url = e.Data.Substring(Banner.Length).Trim();
                    ready.Set();
                }
            };
            started.OutputDataReceived += read;
            started.ErrorDataReceived += (sender, e) => { if (e.Data != null) emulator.Keep(e.Data); };
            started.BeginOutputReadLine();
            started.BeginErrorReadLine();
            if (!ready.WaitOne(TimeSpan.FromSeconds(timeoutSeconds)) || url == null)
            {
                if (!started.HasExited) started.Kill();
                started.WaitForExit();
                throw new InvalidOperationException("ims-emulator did not start (" + binary + " " + info.Arguments + "):\n" +
                                                    string.Join("\n", emulator.Output().ToArray()));
            }
            emulator.BaseUrl = url;
            return emulator;
        }

        /// <summary>The emulator at url (else $IMS_EMULATOR_URL), already
        /// running: "ims-emulator exec -- ..." or a container. Stop() leaves
        /// it be.</summary>
        public static Emulator Attach(string url = null)
        {
            url = url ?? Environment.GetEnvironmentVariable("IMS_EMULATOR_URL");
            if (string.IsNullOrEmpty(url)) throw new ArgumentException("Attach: no url given and IMS_EMULATOR_URL is not set");
            var emulator = new Emulator(url, null);
            try
            {
                emulator.Health();
            }
            catch (System.Net.WebException e)
            {
                throw new InvalidOperationException("no ims-emulator answers at " + url + ": " + e.Message);
            }
            return emulator;
        }

        /// <summary>Attach() when IMS_EMULATOR_URL is set, else Start().</summary>
        public static Emulator FromEnvironment(string binary = null, string fixture = null, IEnumerable<string> args = null)
        {
            return string.IsNullOrEmpty(Environment.GetEnvironmentVariable("IMS_EMULATOR_URL"))
                ? Start(binary, fixture, args)
                : Attach();
        }

        /// <summary>The started emulator's newest output lines (its logs).</summary>
        public List<string> Output()
        {
            lock (output) return output.ToList();
        }

        /// <summary>Stops a started emulator (SIGTERM, then kill after 15 s).</summary>
        public void Stop()
        {
            if (process == null || process.HasExited) return;
            // SIGTERM lets it stop its game servers; mono's Kill() is SIGKILL.
            try
            {
                using (var term = Process.Start(new ProcessStartInfo("kill", "-TERM " + process.Id) { UseShellExecute = false }))
                {
                    term.WaitForExit();
                }
            }
            catch (Exception)
            {
            }
            if (!process.WaitForExit(15000)) process.Kill();
            process.WaitForExit();
        }

        public void Dispose()
        {
            Stop();
        }

        void Keep(string line)
        {
            lock (output)
            {
                output.Enqueue(line);
                while (output.Count > 200) output.Dequeue();
            }
        }

        static string OnPath(string name)
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            {
                if (dir.Length == 0) continue;
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate)) return candidate;
            }
            return null;
        }

        static string Quote(string arg)
        {
            return arg.Length > 0 && arg.IndexOfAny(new[] { ' ', '"', '\'', '\t' }) < 0 ? arg : "\"" + arg.Replace("\"", "\\\"") + "\"";
        }

        // --- The world -----------------------------------------------------

        JToken Control(string method, string path, object body = null, Dictionary<string, string> query = null)
        {
            return Http.Call(BaseUrl, method, "/emulator/v0" + path, body, query);
        }

        public JObject Health() { return (JObject)Control("GET", "/health"); }

        /// <summary>The whole world: clock, projects, allocations, payloads, sessions.</summary>
        public WorldState State() { return Control("GET", "/state").ToObject<WorldState>(); }

        public ClockInfo Clock() { return Control("GET", "/clock").ToObject<ClockInfo>(); }

        /// <summary>The world its fixture makes, afresh (the clock goes on
        /// from where it is; new payloads get new ids). Faults are cleared
        /// apart: ClearFaults().</summary>
        public void Reset() { Control("POST", "/reset", "{}"); }

        /// <summary>$IMS_EMULATOR_PROJECT, else the world's first project.</summary>
        public string Project
        {
            get
            {
                var env = Environment.GetEnvironmentVariable("IMS_EMULATOR_PROJECT");
                return !string.IsNullOrEmpty(env) ? env : State().Projects.OrderBy(p => p, StringComparer.Ordinal).First();
            }
        }

        /// <summary>$IMS_EMULATOR_SESSION_TYPE, else the session_type of the
        /// first project's first allocation that has one.</summary>
        public string SessionType
        {
            get
            {
                var env = Environment.GetEnvironmentVariable("IMS_EMULATOR_SESSION_TYPE");
                if (!string.IsNullOrEmpty(env)) return env;
                var project = Project;
                foreach (var a in State().Allocations)
                {
                    var type = (string)a.SelectToken("annotations.session_type");
                    if ((string)a["project_id"] == project && !string.IsNullOrEmpty(type)) return type;
                }
                throw new InvalidOperationException("no allocation of project " + project + " has a session_type");
            }
        }

        /// <summary>Every payload's id, oldest first, or those in state.</summary>
        public List<string> PayloadIds(string state = null)
        {
            return State().Payloads.Where(p => state == null || p.State == state).Select(p => p.Id).ToList();
        }

        /// <summary>The payload's ORCHESTRATION_PAYLOAD_API (host:port, no scheme).</summary>
        public string PayloadApiOf(string payloadId)
        {
            var p = State().FindPayload(payloadId);
            if (p == null) throw new KeyNotFoundException("no payload " + payloadId);
            return p.OrchestrationPayloadApi;
        }

        // --- Clients -------------------------------------------------------

        public SessionManagerClient SessionManager(string project = null, string token = "playfab/local-player")
        {
            return new SessionManagerClient(BaseUrl, project ?? Project, token);
        }

        public PayloadApiClient Payload(string payloadId) { return new PayloadApiClient(PayloadApiOf(payloadId)); }

        public OrchestrationClient Orchestration(string project = null) { return new OrchestrationClient(BaseUrl, project ?? Project); }

        // --- The virtual clock ---------------------------------------------

        /// <summary>Moves the virtual clock, applying everything due on the way.</summary>
        public ClockInfo Advance(double seconds)
        {
            var body = new JObject { { "seconds", seconds } };
            return Control("POST", "/clock/advance", body.ToString()).ToObject<ClockInfo>();
        }

        public ClockInfo Advance(TimeSpan by) { return Advance(by.TotalSeconds); }

        /// <summary>Moves the clock to the next armed deadline (409 when none is).</summary>
        public ClockInfo AdvanceToNextTimer()
        {
            return Control("POST", "/clock/advance", "{\"to\": \"next_timer\"}").ToObject<ClockInfo>();
        }

        /// <summary>Moves the clock just far enough that List Sessions shows
        /// every status set before (the Session Manager's cache).</summary>
        public ClockInfo AdvancePastStatusCache()
        {
            var state = State();
            long latest = state.Sessions.Where(s => s.ClientsSeeLatestAt != null)
                              .Select(s => UnixMs(s.ClientsSeeLatestAt)).DefaultIfEmpty(0).Max();
            return latest > state.Clock.UnixMs ? Advance((latest - state.Clock.UnixMs) / 1000.0) : state.Clock;
        }

        // --- Faults, snapshots, what game servers did ----------------------

        /// <summary>Answers matching calls with spec.Status (and/or after spec.DelayMs).</summary>
        public JObject AddFault(FaultSpec spec)
        {
            return (JObject)Control("POST", "/faults", JObject.FromObject(spec).ToString())["result"];
        }

        public JArray Faults() { return (JArray)Control("GET", "/faults")["faults"]; }

        public void ClearFaults() { Control("DELETE", "/faults"); }

        /// <summary>The payload's Payload Local API stops answering for seconds.</summary>
        public void TakePayloadApiDown(string payloadId, double seconds)
        {
            Control("POST", "/payloads/" + Http.Segment(payloadId) + "/api-down", new JObject { { "seconds", seconds } }.ToString());
        }

        /// <summary>The payload's game server exits with code, as a process would.</summary>
        public void ExitPayload(string payloadId, int code = 0)
        {
            Control("POST", "/payloads/" + Http.Segment(payloadId) + "/exit", new JObject { { "code", code } }.ToString());
        }

        public void ForceState(string payloadId, string state)
        {
            Control("PUT", "/payloads/" + Http.Segment(payloadId) + "/state", new JObject { { "state", state } }.ToString());
        }

        /// <summary>The session config the payload holds (null without a session).</summary>
        public string PeekSessionConfig(string payloadId)
        {
            return (string)Control("GET", "/payloads/" + Http.Segment(payloadId) + "/session-config")["config"];
        }

        public void TakeSnapshot(string name) { Control("POST", "/snapshots/" + Http.Segment(name)); }

        public void RestoreSnapshot(string name) { Control("POST", "/snapshots/" + Http.Segment(name) + "/restore"); }

        /// <summary>The whole world as a snapshot file's JSON (serve --import takes it).</summary>
        public JObject Export() { return (JObject)Control("GET", "/export"); }

        /// <summary>The newest last events of the journal.</summary>
        public List<JournalEvent> Events(int last = 40)
        {
            var query = new Dictionary<string, string> { { "last", last.ToString(CultureInfo.InvariantCulture) } };
            return Control("GET", "/events", null, query)["events"].ToObject<List<JournalEvent>>();
        }

        /// <summary>The newest last journal events, one line each.</summary>
        public string Journal(int last = 40)
        {
            return string.Join("\n", Events(last).Select(e => e.ToString()).ToArray());
        }

        // --- Waits ---------------------------------------------------------

        /// <summary>Waits until done(state) holds and returns that state (see
        /// WaitLimits); throws WaitTimeoutException naming what.</summary>
        public WorldState WaitUntil(string what, Func<WorldState, bool> done, WaitLimits limits = null)
        {
            limits = limits ?? new WaitLimits();
            var watch = Stopwatch.StartNew();
            long? startMs = null;
            while (true)
            {
                var state = State();
                if (done(state)) return state;
                var clock = state.Clock;
                if (startMs == null) startMs = clock.UnixMs;
                string next = clock.IsVirtual ? clock.NextTimer : null;
                if (next != null && UnixMs(next) - startMs.Value <= limits.VirtualSeconds * 1000)
                {
                    AdvanceToNextTimer();
                    continue;
                }
                if (watch.Elapsed.TotalSeconds >= limits.RealSeconds)
                {
                    string why = next != null
                        ? "its next deadline (" + next + ") is past the wait's " + limits.VirtualSeconds + " s"
                        : "then nothing was armed for " + limits.RealSeconds + " s of real time";
                    throw new WaitTimeoutException("waited in vain for " + what + ": the virtual clock moved " +
                                                   (clock.UnixMs - startMs.Value) + " ms, " + why + "\nat the end: " +
                                                   state + "\nthe journal's newest events:\n" + Journal());
                }
                Thread.Sleep(limits.PollMilliseconds);
            }
        }

        /// <summary>Waits until the payload is in state ("Ready", "Reserved", ...).</summary>
        public WorldState WaitForPayloadState(string payloadId, string state, WaitLimits limits = null)
        {
            return WaitUntil("payload " + payloadId + " to be " + state,
                             w => w.FindPayload(payloadId) != null && w.FindPayload(payloadId).State == state, limits);
        }

        /// <summary>Waits until game clients see key=value in the session's
        /// status in List Sessions (past the status cache).</summary>
        public WorldState WaitForClientsToSee(string sessionId, string key, string value, WaitLimits limits = null)
        {
            return WaitUntil("clients to see " + key + "=" + value + " in session " + sessionId, w =>
            {
                var s = w.FindSession(sessionId);
                string seen;
                return s != null && s.ClientsSee.TryGetValue(key, out seen) && seen == value;
            }, limits);
        }

        static long UnixMs(string rfc3339)
        {
            var t = DateTimeOffset.Parse(rfc3339, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            return (long)(t.UtcDateTime - new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc)).TotalMilliseconds;
        }
    }
}
