"""ims-emulator's Python kit: drive a local IMS (Session Manager, Payload
Local API, orchestration, the emulator's control API) from tests, with the
standard library alone. The pytest plugin is ims_emulator.pytest_plugin."""
from .clients import Orchestration, PayloadApi, SessionManager
from .emulator import ImsEmulator, WaitTimeout, describe_event
from .http import ApiError

__all__ = ["ApiError", "ImsEmulator", "Orchestration", "PayloadApi", "SessionManager",
           "WaitTimeout", "describe_event"]
