"""Start at login: the generated systemd unit, launchd agent and Windows Startup entry."""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reminderd import safety, service
from reminderd.cli import cli
from reminderd.errors import ReminderError


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))  # no systemd/ inside: no user manager
    return tmp_path


def test_systemd_unit_runs_this_python_and_restarts_on_failure(tmp_path: Path) -> None:
    """The unit starts `python -m reminderd start` with the given config, restarts on failure
    and reloads with SIGHUP."""
    unit = service.systemd_unit(service.command_line(tmp_path / "my config.toml"))
    lines = unit.splitlines()
    assert (
        f'ExecStart={sys.executable} -m reminderd start --config "{tmp_path}/my config.toml"'
        in lines
    )
    assert "Restart=on-failure" in lines
    assert "RestartPreventExitStatus=2" in lines  # a broken config is not restarted in a loop
    assert "ExecReload=/bin/kill -HUP $MAINPID" in lines
    assert "WantedBy=default.target" in lines


@pytest.mark.skipif(
    not shutil.which("systemd-analyze"),
    reason="systemd-analyze is not installed (apt-get install systemd)",
)
def test_systemd_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    """`systemd-analyze --user verify` accepts the generated unit without a single warning."""
    path = tmp_path / service.UNIT_NAME
    path.write_text(service.systemd_unit(service.command_line()))
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    done = subprocess.run(
        ["systemd-analyze", "--user", "verify", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == ""


def test_launchd_plist_round_trips(tmp_path: Path) -> None:
    """The launchd agent is a valid plist with the keys launchd needs."""
    argv = service.command_line()
    agent = plistlib.loads(service.launchd_plist(argv, tmp_path / "reminderd.log"))
    assert agent == {
        "Label": "reminderd",
        "ProgramArguments": argv,
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "ProcessType": "Background",
        "StandardOutPath": str(tmp_path / "reminderd.log"),
        "StandardErrorPath": str(tmp_path / "reminderd.log"),
    }


def test_windows_startup_script() -> None:
    """MOCK (Windows edge): the Startup entry starts reminderd minimised, quoting every part."""
    script = service.windows_startup_script([r"C:\Python\python.exe", "-m", "reminderd", "start"])
    assert (
        script
        == '@echo off\r\nstart "reminderd" /min "C:\\Python\\python.exe" "-m" "reminderd" "start"\r\n'
    )


def test_install_without_systemd_writes_the_unit_and_prints_the_command(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where no systemd user manager runs, install writes the unit and says how to enable
    it, then prints the safety note (a service's first start prints into a journal)."""
    # Wherever the tests' own Python lives (a venv in /tmp, say), the unit names a lasting one.
    monkeypatch.setattr(sys, "executable", "/usr/bin/python3")
    runner = CliRunner()
    result = runner.invoke(cli, ["service", "install"])
    unit = home / ".config" / "systemd" / "user" / "reminderd.service"
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:3] == [
        f"Wrote {unit}",
        "No systemd user manager is running here; enable it with:",
        "  systemctl --user daemon-reload && systemctl --user enable --now reminderd.service",
    ]
    assert result.stdout.endswith(f"\n{safety.TEXT}\n\n(`reminderd safety` shows it again)\n")
    assert unit.read_text() == service.systemd_unit(service.command_line())
    assert runner.invoke(cli, ["service", "status"]).stdout.splitlines() == [
        f"Installed: {unit}",
        "Not enabled and not active: no systemd user manager runs here to start it.",
        "  Where one runs: systemctl --user enable --now reminderd.service",
    ]
    assert runner.invoke(cli, ["service", "uninstall"]).stdout == f"Removed {unit}.\n"
    assert not unit.exists()
    assert runner.invoke(cli, ["service", "status"]).stdout.startswith("Not installed")


def test_install_on_macos_writes_the_agent(home: Path) -> None:
    """MOCK (macOS edge): install writes ~/Library/LaunchAgents/reminderd.plist."""
    outcome = service.install(platform="darwin")
    assert outcome.path == home / "Library" / "LaunchAgents" / "reminderd.plist"
    assert plistlib.loads(outcome.path.read_bytes())["Label"] == "reminderd"
    assert service.uninstall(platform="darwin").lines[-1] == f"Removed {outcome.path}."


def test_unit_path_ignores_a_relative_xdg_config_home(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unit follows the same XDG rule as every other folder: a relative
    XDG_CONFIG_HOME is ignored and ~/.config is used."""
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/config")
    assert service.unit_path() == home / ".config" / "systemd" / "user" / "reminderd.service"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "elsewhere"))
    assert service.unit_path() == home / "elsewhere" / "systemd" / "user" / "reminderd.service"


def test_install_warns_when_the_interpreter_will_not_stay(tmp_path: Path) -> None:
    """A Python under the temporary folder (a throwaway venv) would vanish from under the
    login service: service install says so."""
    assert service.temporary_interpreter("/tmp/venv/bin/python3") is not None
    assert "pipx" in (service.temporary_interpreter("/tmp/venv/bin/python3") or "")
    assert service.temporary_interpreter("/usr/bin/python3") is None


def test_a_real_venv_under_tmp_is_caught(tmp_path: Path) -> None:
    """A venv's python under /tmp is a link to the system's Python; the warning still comes,
    since the unit runs the link, which goes with the venv."""
    venv = Path("/tmp") / f"rd-venv-{tmp_path.name}"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    try:
        python = venv / "bin" / "python"
        assert not python.resolve().is_relative_to(venv)  # a link out of the venv
        assert (service.temporary_interpreter(str(python)) or "").startswith(
            f"{python} lives in /tmp, which is emptied"
        )
    finally:
        shutil.rmtree(venv)


def stand_in(folder: Path, name: str, code: int) -> Path:
    """A command that records its arguments, one line per call, and exits with ``code``."""
    log = folder / f"{name}.calls"
    script = folder / name
    script.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexit {code}\n')
    script.chmod(0o755)
    return log


def test_with_a_systemd_user_manager_install_enables_and_status_asks(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MOCK (no systemd user manager can run in this container): a stand-in systemctl
    records what install, status and uninstall ask of it, and a failing daemon-reload is
    reported with its output."""
    monkeypatch.setattr(sys, "executable", "/usr/bin/python3")
    (Path(os.environ["XDG_RUNTIME_DIR"]) / "systemd").mkdir()  # a user manager's folder
    bin_dir = home / "bin"
    bin_dir.mkdir()
    calls = stand_in(bin_dir, "systemctl", 0)
    monkeypatch.setenv("PATH", str(bin_dir))
    outcome = service.install(platform="linux")
    assert outcome.lines == ("reminderd is started now and at every login.",)
    assert calls.read_text().splitlines() == [
        "--user daemon-reload",
        "--user enable --now reminderd.service",
    ]
    assert service.status(platform="linux").lines[1:] == (
        "systemctl --user is-enabled: unknown",
        "systemctl --user is-active: unknown",
    )
    assert service.uninstall(platform="linux").lines == (
        "reminderd is stopped.",
        f"Removed {outcome.path}.",
    )
    assert service.uninstall(platform="linux").lines[-1] == (
        f"Nothing to remove: {outcome.path} does not exist."
    )
    stand_in(bin_dir, "systemctl", 1)
    failed = service.install(platform="linux")
    assert failed.lines == ("systemctl --user daemon-reload failed: ",)


def test_launchctl_missing_or_failing_is_said(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """MOCK (macOS edge): without launchctl the command to run is printed; a failing one
    is reported with the command."""
    monkeypatch.setenv("PATH", str(home / "bin"))
    (home / "bin").mkdir()
    lines = service.install(platform="darwin").lines
    assert lines[-1].startswith("launchctl is not available; run: launchctl bootstrap gui/")
    stand_in(home / "bin", "launchctl", 3)
    lines = service.install(platform="darwin").lines
    assert lines[-1].startswith("launchctl bootstrap gui/")
    assert " failed: " in lines[-1]


def test_windows_startup_entry_is_written_and_removed(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MOCK (Windows edge): the Startup entry goes into %APPDATA%, and status finds it."""
    monkeypatch.setenv("APPDATA", str(home / "AppData"))
    outcome = service.install(platform="win32")
    assert outcome.path.name == "reminderd.cmd"
    assert outcome.path.is_relative_to(home / "AppData")
    assert service.status(platform="win32").lines == (f"Installed: {outcome.path}",)
    assert service.uninstall(platform="win32").lines == (f"Removed {outcome.path}.",)


def test_an_unwritable_place_is_a_clear_error(home: Path) -> None:
    """The unit's folder cannot be made (a file is in the way): the error names the path."""
    (home / ".config").mkdir()
    (home / ".config" / "systemd").write_text("a file, not a folder")
    with pytest.raises(ReminderError, match=r"cannot write .*reminderd\.service"):
        service.install(platform="linux")
