// A minimal game server for IMS in C#: what docs/game-server.md asks of one,
// in order, and nothing else; System, Newtonsoft.Json and Mono.Posix (for
// SIGTERM) alone, C# 7 as Unity compiles it. It passes
//   bash examples/csharp/build.sh OUT && ims-emulator check -- mono OUT/GameServer.exe
//
// 1. Finds the Payload Local API in ORCHESTRATION_PAYLOAD_API (host:port, or
//    host:port/payloads/ID: no scheme) and retries it until it answers.
// 2. Calls ready (retrying: ready is idempotent).
// 3. Polls Get Payload Details twice a second until it is Reserved.
// 4. Reads the session config once Reserved, parses it defensively (a player
//    wrote it), and sets a small status of its own words: never the config's.
// 5. Leaves with exit code 0 on SIGTERM (IMS deletes the payload).
using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Text;
using System.Threading;
using Mono.Unix;
using Mono.Unix.Native;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

public static class GameServer
{
    static readonly string Api =
        "http://" + Environment.GetEnvironmentVariable("ORCHESTRATION_PAYLOAD_API") + "/api/v0";
    static readonly HashSet<string> Maps = new HashSet<string> { "docks", "dust", "harbour" };
    static volatile bool stopping;

    // One call; throws WebException (nothing answered, or an error status).
    static JToken Call(string method, string path, object body)
    {
        var request = (HttpWebRequest)WebRequest.Create(Api + path);
        request.Method = method;
        request.Timeout = 5000;
        if (body != null)
        {
            byte[] data = Encoding.UTF8.GetBytes(JsonConvert.SerializeObject(body));
            request.ContentType = "application/json";
            request.ContentLength = data.Length;
            using (Stream s = request.GetRequestStream()) s.Write(data, 0, data.Length);
        }
        using (var answer = (HttpWebResponse)request.GetResponse())
        using (var reader = new StreamReader(answer.GetResponseStream(), Encoding.UTF8))
        {
            return JToken.Parse(reader.ReadToEnd());
        }
    }

    // Retries until the API answers 2xx (it may come up after us, or fail for
    // a while); gives up only when asked to stop.
    static JToken Retry(string method, string path, object body = null)
    {
        int delayMs = 100;
        while (!stopping)
        {
            try
            {
                return Call(method, path, body);
            }
            catch (Exception e) when (e is WebException || e is IOException || e is JsonException)
            {
                Console.WriteLine(method + " " + path + ": " + e.Message + "; retrying in " +
                                  delayMs + " ms");
                Thread.Sleep(delayMs);
                delayMs = Math.Min(delayMs * 2, 1000);
            }
        }
        return null;
    }

    // The match settings from a session config, whatever a player sent:
    // anything unexpected falls back to a default.
    static Dictionary<string, string> SettingsFrom(string config)
    {
        JObject parsed = null;
        try
        {
            parsed = JToken.Parse(string.IsNullOrEmpty(config) ? "{}" : config) as JObject;
        }
        catch (Exception e) when (e is JsonException || e is InvalidOperationException)
        {
        }
        JToken map = parsed?["map"];
        JToken players = parsed?["max_players"];
        string mapName = map != null && map.Type == JTokenType.String ? (string)map : "";
        long count = players != null && players.Type == JTokenType.Integer ? (long)players : 0;
        return new Dictionary<string, string> {
            { "phase", "lobby" },
            { "map", Maps.Contains(mapName) ? mapName : "docks" },
            // Status values are strings.
            { "max_players", (count >= 1 && count <= 64 ? count : 8).ToString() },
        };
    }

    public static int Main()
    {
        var sigterm = new UnixSignal(Signum.SIGTERM);
        new Thread(() => {
            sigterm.WaitOne();
            stopping = true;
        }) { IsBackground = true }.Start();

        Retry("GET", "/payload");
        Retry("POST", "/ready", new Dictionary<string, string>());
        Console.WriteLine("ready");
        while (!stopping)
        {
            JToken payload = Retry("GET", "/payload");
            if ((string)payload?.SelectToken("result.status.state") == "Reserved") break;
            Thread.Sleep(500);
        }
        if (!stopping)
        {
            JToken answer = Retry("GET", "/session-manager/config");
            var settings = SettingsFrom((string)answer?["config"]);
            Retry("POST", "/session-manager/status", settings);
            Console.WriteLine("session: map " + settings["map"] + ", " + settings["max_players"] +
                              " players");
        }
        while (!stopping) Thread.Sleep(100);  // the match would run here
        Console.WriteLine("SIGTERM: leaving");
        return 0;
    }
}
