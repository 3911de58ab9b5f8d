"""The Python kit through pytest, as a studio's tests use it: the
`ims_emulator` fixture (one emulator for the run, the world reset before each
test), the clients, the virtual clock and the waits."""
import os

import pytest

from ims_emulator import ApiError, ImsEmulator, WaitTimeout


def test_seed_flow_a_client_sees_the_status_the_server_set_after_the_cache(ims_emulator):
    # The game client creates a session with its config.
    sessions = ims_emulator.session_manager()
    created = sessions.create_session(ims_emulator.session_type, '{"map": "dust"}')
    assert created["address"] == "127.0.0.1" and created["ports"][0]["name"] == "GamePort"

    # The game server sees it Reserved, reads the config, sets a status.
    server = ims_emulator.payload(created["id"])
    assert server.state() == "Reserved"
    assert server.session_config() == '{"map": "dust"}'
    server.set_session_status({"phase": "lobby", "map": "dust"})
    assert server.session_status() == {"phase": "lobby", "map": "dust"}

    # Clients see it only once the Session Manager's cache has refreshed.
    listed = sessions.list_sessions(ims_emulator.session_type)
    assert [s["id"] for s in listed] == [created["id"]]
    assert listed[0]["session_status"] == {}
    ims_emulator.wait_for_clients_to_see(created["id"], "phase", "lobby")
    listed = sessions.list_sessions(ims_emulator.session_type)
    assert listed[0]["session_status"] == {"phase": "lobby", "map": "dust"}


def test_advance_past_status_cache_moves_the_clock_no_further_than_needed(ims_emulator):
    created = ims_emulator.session_manager().create_session(ims_emulator.session_type)
    before = ims_emulator.clock()["unix_ms"]
    ims_emulator.payload(created["id"]).set_session_status({"phase": "playing"})
    ims_emulator.advance_past_status_cache()
    moved = ims_emulator.clock()["unix_ms"] - before
    assert 0 < moved <= 12_000
    listed = ims_emulator.session_manager().list_sessions(ims_emulator.session_type)
    assert listed[0]["session_status"] == {"phase": "playing"}


def test_a_fault_fails_the_next_create_then_the_session_manager_answers_again(ims_emulator):
    ims_emulator.add_fault(api="session-manager", status=503, times=1, message="down for a test")
    sessions = ims_emulator.session_manager()
    with pytest.raises(ApiError) as refused:
        sessions.create_session(ims_emulator.session_type)
    assert refused.value.status == 503 and refused.value.message == "down for a test"
    assert sessions.create_session(ims_emulator.session_type)["id"]
    assert ims_emulator.faults()[0]["fired"] == 1


def test_a_game_server_that_exits_is_replaced(ims_emulator):
    created = ims_emulator.session_manager().create_session(ims_emulator.session_type)
    ims_emulator.exit_payload(created["id"], code=0)
    ims_emulator.wait_until("the buffer to be refilled",
                            lambda w: len([p for p in w["payloads"]
                                           if p["status"]["state"] == "Ready"]) == 2)
    assert created["id"] not in ims_emulator.payload_ids("Ready")


def test_reset_gives_each_test_the_fixture_again(ims_emulator):
    ims_emulator.session_manager().create_session(ims_emulator.session_type)
    assert len(ims_emulator.state()["sessions"]) == 1
    ims_emulator.reset()
    assert ims_emulator.state()["sessions"] == []
    assert len(ims_emulator.payload_ids("Ready")) == 2


def test_snapshots_take_the_world_back(ims_emulator):
    ims_emulator.take_snapshot("before")
    ims_emulator.session_manager().create_session(ims_emulator.session_type)
    ims_emulator.restore_snapshot("before")
    assert ims_emulator.state()["sessions"] == []
    assert ims_emulator.export()["format"] == "ims-emulator snapshot"


def test_errors_name_the_field_and_the_rule(ims_emulator):
    server = ims_emulator.payload(ims_emulator.payload_ids()[0])
    with pytest.raises(ApiError) as refused:
        server.set_session_status({"players": 3})
    assert refused.value.status == 400
    assert "'players' must be a string" in refused.value.message
    with pytest.raises(ApiError) as refused:
        ims_emulator.orchestration().reserve(ims_emulator.state()["allocations"][0]["id"],
                                             selectors=[{"match_labels": {"map": "none"}}])
    assert refused.value.status == 412


def test_a_wait_for_what_never_happens_names_it_and_shows_the_journal(ims_emulator):
    created = ims_emulator.session_manager().create_session(ims_emulator.session_type)
    ims_emulator.payload(created["id"]).set_session_status({"phase": "lobby"})
    with pytest.raises(WaitTimeout) as waited:
        ims_emulator.wait_for_clients_to_see(created["id"], "phase", "playing",
                                             virtual_seconds=60, real_seconds=0.2)
    text = str(waited.value)
    assert f"waited in vain for clients to see phase=playing in session {created['id']}" in text
    assert "clients see {'phase': 'lobby'}" in text
    assert "session.status" in text or "session.created" in text, text


def test_attach_drives_an_emulator_another_process_started(ims_emulator):
    attached = ImsEmulator.attach(ims_emulator.base_url)
    assert attached.attached and attached.state()["projects"] == ims_emulator.state()["projects"]
    attached.stop()  # leaves it running
    assert ims_emulator.state()["projects"]


def test_attach_to_nothing_and_a_missing_binary_say_what_to_set(monkeypatch):
    with pytest.raises(ConnectionError, match="no ims-emulator answers at http://127.0.0.1:9"):
        ImsEmulator.attach("http://127.0.0.1:9")
    monkeypatch.delenv("IMS_EMULATOR_BINARY", raising=False)
    monkeypatch.setenv("PATH", "")
    with pytest.raises(FileNotFoundError, match="IMS_EMULATOR_BINARY"):
        ImsEmulator.start()
    with pytest.raises(FileNotFoundError, match="/nonexistent/ims-emulator is not an executable"):
        ImsEmulator.start("/nonexistent/ims-emulator")


def test_a_status_that_never_becomes_visible_fails_the_wait():
    """Against an emulator whose cache never refreshes within the wait (a
    broken answer, as a client sees it), the wait fails: it can judge both
    ways."""
    with ImsEmulator.start(os.environ.get("IMS_EMULATOR_BINARY"),
                           args=["--status-cache", "delay", "--status-cache-ttl", "3600"]) as stale:
        created = stale.session_manager().create_session(stale.session_type)
        stale.payload(created["id"]).set_session_status({"phase": "lobby"})
        with pytest.raises(WaitTimeout, match="its next deadline .* is past the wait's 600 s"):
            stale.wait_for_clients_to_see(created["id"], "phase", "lobby", real_seconds=0.2)
