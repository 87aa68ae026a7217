"""GNOME's own break reminders (GNOME 48 and later), read with the real gsettings command
from a schema compiled for the test, in a keyfile backend of the test's own."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from reminderd import peers
from tests.conftest import wait_for
from tests.test_e2e_control import SLOW, RunningDaemon, write_config

# The keys reminderd reads, declared as GNOME 48's gsettings-desktop-schemas declares them
# (schema id, path, key name and type); written for the test, not copied.
SCHEMA = """<?xml version="1.0" encoding="UTF-8"?>
<schemalist>
  <schema id="org.gnome.desktop.break-reminders" path="/org/gnome/desktop/break-reminders/">
    <key name="selected-breaks" type="as"><default>[]</default></key>
  </schema>
</schemalist>
"""


@pytest.fixture
def gnome48(user_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    if not (shutil.which("gsettings") and shutil.which("glib-compile-schemas")):
        pytest.skip("gsettings and glib-compile-schemas are not installed (libglib2.0-bin)")
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    (schemas / "org.gnome.desktop.break-reminders.gschema.xml").write_text(SCHEMA)
    subprocess.run(["glib-compile-schemas", str(schemas)], check=True)
    return {
        **user_env,
        "GSETTINGS_SCHEMA_DIR": str(schemas),
        "GSETTINGS_BACKEND": "keyfile",
        "XDG_CURRENT_DESKTOP": "ubuntu:GNOME",
    }


def select(env: dict[str, str], value: str) -> None:
    subprocess.run(
        ["gsettings", "set", peers.SCHEMA, "selected-breaks", value], env=env, check=True
    )


def test_gnome_breaks_are_read_and_advised_on(
    gnome48: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """None selected: nothing to say; movement: turn GNOME's off (eyesight may stay);
    eyesight only: both can stay. Without the schema: nothing."""
    for key, value in gnome48.items():
        monkeypatch.setenv(key, value)
    assert peers.gnome_breaks() == []
    select(gnome48, "['movement', 'eyesight']")
    assert peers.gnome_breaks() == ["movement", "eyesight"]
    said = peers.advice(peers.gnome_breaks())
    assert said is not None
    assert "Turn GNOME's movement breaks off in Settings ▸ Wellbeing ▸ Break Reminders" in said
    assert "its eyesight breaks (looking away) can stay" in said
    select(gnome48, "['eyesight']")
    assert "so both can stay" in str(peers.advice(peers.gnome_breaks()))
    monkeypatch.setenv("GSETTINGS_SCHEMA_DIR", str(Path(gnome48["HOME"]) / "none"))
    assert peers.gnome_breaks() == []


def test_gnome_breaks_are_asked_only_in_a_gnome_session(gnome48: dict[str, str]) -> None:
    """Outside a GNOME session no command runs: GNOME's break reminders run only there."""
    select(gnome48, "['movement']")
    assert peers.gnome_breaks(gnome48) == ["movement"]
    assert peers.gnome_breaks({**gnome48, "XDG_CURRENT_DESKTOP": "sway"}) == []
    assert (
        peers.gnome_breaks({k: v for k, v in gnome48.items() if k != "XDG_CURRENT_DESKTOP"}) == []
    )


@pytest.mark.e2e
def test_the_daemon_says_so_once_and_again_after_a_reload(
    gnome48: dict[str, str], tmp_path: Path
) -> None:
    """With GNOME's movement breaks on, status and the log say so (the log once); after
    they are turned off, a reload clears it."""
    select(gnome48, "['movement']")
    daemon = RunningDaemon(gnome48, write_config(tmp_path / "config.toml", SLOW))
    daemon.start()
    try:
        said = daemon.status()["other_breaks"]
        assert said.startswith("GNOME's own break reminders are on (movement)")
        assert daemon.log.read_text().count("GNOME's own break reminders are on") == 1
        assert f"Note: {said}" in daemon.cli("status").stdout
        select(gnome48, "@as []")
        assert daemon.cli("reload").returncode == 0
        wait_for(lambda: daemon.status()["other_breaks"] is None)
    finally:
        daemon.stop()
