// One JSON-over-HTTP call, the kit's only way out (HttpWebRequest: blocking,
// so it never waits on Unity's main-thread synchronization context). Every
// error answer becomes an ApiException with the emulator's message.
using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace ImsEmulator
{
    /// <summary>An answer with an error status: Status (404, 412, ...), the
    /// emulator's Message (naming the field and the rule) and RequestId.</summary>
    public class ApiException : Exception
    {
        public int Status { get; private set; }
        public string ApiMessage { get; private set; }
        public string RequestId { get; private set; }

        public ApiException(string method, string url, int status, string message, string requestId)
            : base(method + " " + url + " -> " + status + ": " + message)
        {
            Status = status;
            ApiMessage = message;
            RequestId = requestId;
        }
    }

    internal static class Http
    {
        public static int TimeoutMilliseconds = 30000;

        /// <summary>Sends one request; `body` is sent as JSON (a string as it
        /// is), none when null. Returns the parsed answer ({} when empty).</summary>
        public static JToken Call(string baseUrl, string method, string path, object body = null,
                                  IDictionary<string, string> query = null,
                                  IDictionary<string, string> headers = null)
        {
            string url = baseUrl.TrimEnd('/') + path + QueryString(query);
            var request = (HttpWebRequest)WebRequest.Create(url);
            request.Method = method;
            request.Timeout = TimeoutMilliseconds;
            request.ReadWriteTimeout = TimeoutMilliseconds;
            request.Accept = "application/json";
            if (headers != null)
            {
                foreach (var h in headers) request.Headers[h.Key] = h.Value;
            }
            if (body != null)
            {
                string text = body as string ?? JsonConvert.SerializeObject(body);
                byte[] bytes = Encoding.UTF8.GetBytes(text);
                request.ContentType = "application/json";
                request.ContentLength = bytes.Length;
                using (Stream s = request.GetRequestStream()) s.Write(bytes, 0, bytes.Length);
            }
            try
            {
                using (var answer = (HttpWebResponse)request.GetResponse())
                {
                    return Parse(ReadAll(answer));
                }
            }
            catch (WebException e)
            {
                var answer = e.Response as HttpWebResponse;
                if (answer == null) throw;  // nothing answered: the WebException says why
                using (answer)
                {
                    string text = ReadAll(answer);
                    string message = text, requestId = "";
                    try
                    {
                        var error = JObject.Parse(text);
                        message = (string)error["message"] ?? text;
                        requestId = (string)error["request_id"] ?? "";
                    }
                    catch (JsonException)
                    {
                    }
                    throw new ApiException(method, url, (int)answer.StatusCode, message, requestId);
                }
            }
        }

        public static string Segment(string value)
        {
            return Uri.EscapeDataString(value);
        }

        static string QueryString(IDictionary<string, string> query)
        {
            if (query == null) return "";
            var parts = new List<string>();
            foreach (var q in query)
            {
                if (q.Value != null) parts.Add(Uri.EscapeDataString(q.Key) + "=" + Uri.EscapeDataString(q.Value));
            }
            return parts.Count == 0 ? "" : "?" + string.Join("&", parts.ToArray());
        }

        static string ReadAll(HttpWebResponse answer)
        {
            using (var reader = new StreamReader(answer.GetResponseStream(), Encoding.UTF8))
            {
                return reader.ReadToEnd();
            }
        }

        static JToken Parse(string text)
        {
            if (string.IsNullOrEmpty(text) || text.Trim().Length == 0) return new JObject();
            // Times stay the strings IMS sends (RFC 3339), not DateTimes.
            using (var reader = new JsonTextReader(new StringReader(text)) { DateParseHandling = DateParseHandling.None })
            {
                return JToken.ReadFrom(reader);
            }
        }
    }
}
