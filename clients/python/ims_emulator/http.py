"""One JSON-over-HTTP call, the kit's only way out (the standard library's
urllib): every answer is parsed, and every error answer becomes an ApiError
carrying the status and the emulator's message."""
import json
import urllib.error
import urllib.parse
import urllib.request


class ApiError(Exception):
    """An answer with an error status: `status` (404, 412, ...), `message`
    (the emulator's, naming the field and the rule) and `request_id`."""

    def __init__(self, method, url, status, message, request_id=""):
        self.method, self.url, self.status = method, url, status
        self.message, self.request_id = message, request_id
        super().__init__(f"{method} {url} -> {status}: {message}")


def call(base_url, method, path, body=None, query=None, headers=None, timeout=30):
    """Sends one request to `base_url` + `path` and returns the parsed JSON
    answer. `body` is sent as JSON unless it is a str (sent as it is) or None
    (no body). Raises ApiError on an error status, OSError when nothing
    answers."""
    url = base_url.rstrip("/") + path
    if query:
        url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
    data = None
    if body is not None:
        data = (body if isinstance(body, str) else json.dumps(body)).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            text = answer.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        text = e.read().decode("utf-8", "replace")
        try:
            error = json.loads(text)
        except ValueError:
            error = {"message": text}
        raise ApiError(method, url, e.code, error.get("message", text),
                       error.get("request_id", "")) from None
    return json.loads(text) if text.strip() else {}


def quote(segment):
    """A path segment, percent-encoded."""
    return urllib.parse.quote(str(segment), safe="")
