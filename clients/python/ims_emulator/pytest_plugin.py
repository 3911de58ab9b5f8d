"""The pytest plugin: `ims_emulator`, a fixture that hands each test an
emulator whose world was just reset.

Load it with `-p ims_emulator.pytest_plugin`, or in a conftest.py:
    pytest_plugins = ["ims_emulator.pytest_plugin"]

One emulator serves the whole run: started from $IMS_EMULATOR_BINARY (or
`ims-emulator` on PATH) with the virtual clock, or the one at
$IMS_EMULATOR_URL. Override the `ims_emulator_options` fixture to choose its
world and flags. When a test that used it fails, the report gets a section
with the emulator's journal."""
import pytest

from .emulator import ImsEmulator


@pytest.fixture(scope="session")
def ims_emulator_options():
    """Keyword arguments of ImsEmulator.start(): override in a conftest.py,
    e.g. return {"fixture": "world.json", "args": ["--status-cache", "delay"]}."""
    return {}


@pytest.fixture(scope="session")
def ims_emulator_server(ims_emulator_options):
    """The run's emulator, started once (or attached to)."""
    emulator = ImsEmulator.from_environment(**ims_emulator_options)
    yield emulator
    emulator.stop()


@pytest.fixture
def ims_emulator(ims_emulator_server, request):
    """The emulator, its world reset (fixture, clock and faults as at start)."""
    ims_emulator_server.reset()
    ims_emulator_server.clear_faults()
    request.node._ims_emulator = ims_emulator_server
    return ims_emulator_server


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    emulator = getattr(item, "_ims_emulator", None)
    if emulator is None or not report.failed or report.when != "call":
        return
    try:
        report.sections.append(("ims-emulator journal (newest events)", emulator.journal(60)))
    except Exception as e:  # the emulator may be what broke
        report.sections.append(("ims-emulator journal", f"could not be read: {e}"))
