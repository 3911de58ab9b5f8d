"""Clients of IMS's own APIs as the emulator serves them: the Session Manager
(what a game client calls), the Payload Local API (what a game server calls)
and the orchestration API. Each answer is the JSON IMS documents, as dicts."""
from .http import call, quote


class SessionManager:
    """A game client's Session Manager for one project. `token` is sent as
    `Authorization: Bearer secret-token:<token>` (IMS's form); any
    well-formed token passes unless the emulator was started with --auth."""

    def __init__(self, base_url, project, token="playfab/local-player"):
        self.base_url, self.project = base_url, project
        self.headers = {"Authorization": "Bearer secret-token:" + token}

    def create_session(self, session_type, session_config=None):
        """Reserves a Ready game server of the allocation whose session_type
        matches: {"id", "address", "ports"}. 500 when none is free."""
        body = {} if session_config is None else {"session_config": session_config}
        return call(self.base_url, "POST", f"/api/v0/projects/{quote(self.project)}/sessions",
                    body, {"session_type": session_type}, self.headers)

    def list_sessions(self, session_type):
        """[{"id", "address", "ports", "session_status"}]: each status as the
        Session Manager's cache shows it (up to 12 s late)."""
        return call(self.base_url, "GET", f"/api/v0/projects/{quote(self.project)}/sessions",
                    None, {"session_type": session_type}, self.headers)["sessions"]


class PayloadApi:
    """A game server's Payload Local API. `address` is an
    ORCHESTRATION_PAYLOAD_API value: host:port, or host:port/payloads/{id},
    without a scheme."""

    def __init__(self, address):
        self.base_url = "http://" + address

    def payload(self):
        return call(self.base_url, "GET", "/api/v0/payload")["result"]

    def state(self):
        return self.payload()["status"]["state"]

    def ready(self):
        call(self.base_url, "POST", "/api/v0/ready", {})

    def set_label(self, key, value):
        call(self.base_url, "PUT", "/api/v0/metadata/label", {"key": key, "value": value})

    def set_annotation(self, key, value):
        call(self.base_url, "PUT", "/api/v0/metadata/annotation", {"key": key, "value": value})

    def session_config(self):
        """The session config the game client sent, or None before a session."""
        return call(self.base_url, "GET", "/api/v0/session-manager/config").get("config")

    def session_status(self):
        return call(self.base_url, "GET", "/api/v0/session-manager/status")

    def set_session_status(self, status):
        """Replaces the whole status: a flat dict of strings ({} clears it)."""
        call(self.base_url, "POST", "/api/v0/session-manager/status", status)


class Orchestration:
    """IMS's orchestration API for one project, as the emulator serves it."""

    def __init__(self, base_url, project):
        self.base_url = base_url
        self.prefix = f"/api/v0/projects/{quote(project)}/allocations"

    def allocations(self):
        return call(self.base_url, "GET", self.prefix)["results"]

    def create_allocation(self, spec):
        return call(self.base_url, "POST", self.prefix, spec)["result"]

    def allocation(self, allocation_id):
        return call(self.base_url, "GET", f"{self.prefix}/{quote(allocation_id)}")["result"]

    def replace_allocation(self, allocation_id, spec):
        return call(self.base_url, "PUT", f"{self.prefix}/{quote(allocation_id)}", spec)["result"]

    def delete_allocation(self, allocation_id):
        return call(self.base_url, "DELETE", f"{self.prefix}/{quote(allocation_id)}")["result"]

    def payloads(self, allocation_id):
        return call(self.base_url, "GET", f"{self.prefix}/{quote(allocation_id)}/payloads")["results"]

    def reserve(self, allocation_id, selectors=None, payload_metadata=None):
        """Reserves one payload and returns it; 412 when none matches."""
        body = {}
        if selectors is not None:
            body["selectors"] = selectors
        if payload_metadata is not None:
            body["payload_metadata"] = payload_metadata
        return call(self.base_url, "POST", f"{self.prefix}/{quote(allocation_id)}/reservations",
                    body)["result"]

    def delete_payload(self, allocation_id, payload_id, force=False):
        return call(self.base_url, "DELETE",
                    f"{self.prefix}/{quote(allocation_id)}/payloads/{quote(payload_id)}",
                    query={"force_delete": "true" if force else None})
