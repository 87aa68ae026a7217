"""The command line: help everywhere, exact messages, exit codes, no tracebacks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, cast

import click
import pytest
from click.testing import CliRunner

from reminderd import __version__, safety
from reminderd.cli import cli

if TYPE_CHECKING:
    from reminderd.contracts import DaemonStatus

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("REMINDERD_CONFIG", raising=False)
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    return CliRunner()


def walk(
    group: click.Group, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], click.Command]]:
    found = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        found.append(((*prefix, name), command))
        if isinstance(command, click.Group):
            found += walk(command, (*prefix, name))
    return found


def test_every_command_has_help(runner: CliRunner) -> None:
    """Every command and subcommand answers --help with a description of its own."""
    commands = walk(cli)
    assert {" ".join(path) for path, _ in commands} >= {
        "start",
        "run",
        "list",
        "show",
        "check",
        "safety",
        "config",
        "config path",
        "config init",
    }
    for path, command in commands:
        assert command.help, f"{' '.join(path)} has no help"
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        first_line = " ".join(command.help.split("\n")[0].split())
        assert first_line in " ".join(result.stdout.split())


def test_version(runner: CliRunner) -> None:
    """--version prints the package version."""
    result = runner.invoke(cli, ["--version"])
    assert result.stdout == f"reminderd, version {__version__}\n"


def test_check_a_good_config(runner: CliRunner, tmp_path: Path) -> None:
    """`check` on a valid file says OK with what it holds, exit 0."""
    path = tmp_path / "c.toml"
    path.write_text('[[routines]]\nname = "p"\nexercises = ["posture-check"]\nevery = "20m"\n')
    result = runner.invoke(cli, ["check", str(path)])
    assert result.exit_code == 0
    first, holds, *sources = result.stdout.splitlines()
    assert first == f"{path}: OK, 1 routine, 5 exercises."
    # Then what this desktop offers to hold routines back, source by source.
    assert holds == "What holds a routine back on this desktop ([schedule] hold_during):"
    assert any(line.startswith("  pipewire (call, screen-share): ") for line in sources)


def test_check_lists_every_problem_and_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    """`check` prints one line per problem on stdout (for `check | less`), the count on
    stderr, and exits 2, with no traceback."""
    path = tmp_path / "c.toml"
    path.write_text('[[routines]]\nname = "p"\nexercises = ["posture"]\nevry = "20m"\n')
    result = runner.invoke(cli, ["check", str(path)])
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        f'{path}:1: routines[0]: no trigger (add every = "45m" or at = ["10:30"])',
        f'{path}:3: routines[0].exercises[0]: unknown exercise "posture" (did you mean "posture-check"?)',
        f'{path}:4: routines[0].evry: unknown key "evry" (did you mean "every"?)',
    ]
    assert result.stderr == "3 problems found.\n"


def test_check_reports_a_bad_hook_command_and_its_other_mistakes_at_once(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A wrong hook command does not hide the hook's other mistakes."""
    path = tmp_path / "c.toml"
    path.write_text(
        '[[routines]]\nname = "p"\nexercises = ["posture-check"]\nevery = "20m"\n'
        '[[hooks]]\nevent = "routine.completed"\ncommand = "notify-send done"\ntimeout = "5"\n'
    )
    result = runner.invoke(cli, ["check", str(path)])
    assert result.exit_code == 2
    assert "hooks[0].command: expected a list of strings" in result.stdout
    assert 'hooks[0].timeout: "5" has no unit' in result.stdout
    assert result.stderr == "2 problems found.\n"


def test_a_byte_order_mark_is_accepted(runner: CliRunner, tmp_path: Path) -> None:
    """A config saved with a UTF-8 byte-order mark reads like one without."""
    path = tmp_path / "c.toml"
    path.write_bytes(
        b'\xef\xbb\xbf[[routines]]\nname = "p"\nexercises = ["posture-check"]\nevery = "20m"\n'
    )
    result = runner.invoke(cli, ["check", str(path)])
    assert result.exit_code == 0, result.output


def test_other_commands_report_config_problems_the_same_way(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A broken config stops `list`, `run` and `start` with the same lines and exit 2."""
    path = tmp_path / "c.toml"
    path.write_text("[[routines]]\nname = 'p'\n")
    for command in (["list"], ["run", "p"], ["start"], ["show", "p"]):
        result = runner.invoke(cli, [*command, "--config", str(path)])
        assert result.exit_code == 2, command
        assert "Traceback" not in result.output
        assert result.stderr.endswith("2 problems found.\n")


def test_check_reads_the_env_var(runner: CliRunner, tmp_path: Path) -> None:
    """Without a path, `check` checks the file REMINDERD_CONFIG names."""
    path = tmp_path / "env.toml"
    path.write_text("x = 1\n")
    result = runner.invoke(cli, ["check"], env={"REMINDERD_CONFIG": str(path)})
    assert result.exit_code == 2
    assert f"{path}:1: x: unknown key" in result.stdout


def test_safety_prints_the_safety_text(runner: CliRunner) -> None:
    """`safety` prints when to stop and see a doctor; the README shows the same text."""
    result = runner.invoke(cli, ["safety"])
    assert result.stdout == safety.TEXT + "\n"
    for phrase in (
        "chills",
        "sudden high fever",
        "bruise-like",
        "accident",
        "dizziness",
        "head to one side",
        "emergency care",
        "keep coming back",
    ):
        assert phrase in safety.TEXT
    assert safety.TEXT in (ROOT / "README.md").read_text(encoding="utf-8")


def test_show_an_exercise(runner: CliRunner) -> None:
    """`show` lists the expanded steps with start times and the total, then the pictures."""
    result = runner.invoke(cli, ["show", "chin-to-collarbone"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Chin-to-collarbone stretch (chin-to-collarbone)"
    assert lines[2] == (
        'Source: "Introduction to neck muscle spasms" (publisher not named in the text), '
        "003_8ca7b13792458e4d.txt"
    )
    assert "   0:05    3s  Get ready: Chin to right collarbone" in result.stdout
    assert "   0:08   10s  Chin to right collarbone" in result.stdout
    assert lines[lines.index("Pictures:") - 1] == "8 steps, 44s in all."


def test_show_says_when_an_exercise_is_not_from_the_articles(runner: CliRunner) -> None:
    """An exercise the articles do not describe says so instead of citing one."""
    result = runner.invoke(cli, ["show", "neck-range-of-motion"])
    assert result.exit_code == 0
    assert "Source: not from the articles: a gentle movement chosen by reminderd" in result.stdout
    assert "000_" not in result.stdout


def test_show_unknown_name_is_an_error(runner: CliRunner) -> None:
    """An unknown name is "Error: ..." with the known names, exit 1."""
    result = runner.invoke(cli, ["show", "nekc"])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        'Error: no routine or exercise called "nekc" (did you mean "neck"?; known: posture, neck,'
    )


def test_list_shows_routines_and_exercises(runner: CliRunner, tmp_path: Path) -> None:
    """`list` shows each routine's trigger, length and next time, and each exercise's length."""
    path = tmp_path / "c.toml"
    path.write_text(
        '[[routines]]\nname = "p"\nexercises = ["posture-check"]\nevery = "20m"\nat = ["10:30"]\n'
    )
    result = runner.invoke(cli, ["list", "--config", str(path)])
    assert result.exit_code == 0
    assert "  p  every 20m and at 10:30; 42s; next " in result.stdout
    assert "  shoulder-blade-squeeze   4m24s  Shoulder-blade squeeze" in result.stdout


def test_config_init_and_path(runner: CliRunner, tmp_path: Path) -> None:
    """`config init` copies the defaults to the user's folder once; `config path` follows."""
    assert runner.invoke(cli, ["config", "path"]).stdout.endswith("default.toml (default)\n")
    result = runner.invoke(cli, ["config", "init"])
    target = tmp_path / "xdg" / "reminderd" / "config.toml"
    assert result.stdout == (
        f"Wrote {target}. Edit it, then check it with `reminderd check`.\n\n{safety.TEXT}\n"
    )
    assert runner.invoke(cli, ["config", "path"]).stdout == f"{target} (user)\n"
    again = runner.invoke(cli, ["config", "init"])
    assert again.exit_code == 1
    assert "exists already" in again.stderr


def test_scheduling_page_shows_the_real_plan_of_the_default_config(runner: CliRunner) -> None:
    """The plan printed in docs/scheduling.md is what `reminderd plan` prints for the default
    config."""
    from reminderd.config import default_config_path

    result = runner.invoke(
        cli, ["plan", "--date", "2026-11-23", "--config", str(default_config_path())]
    )
    assert result.exit_code == 0, result.output
    page = (ROOT / "docs" / "scheduling.md").read_text(encoding="utf-8")
    block = page.split("$ reminderd plan --date 2026-11-23\n", 1)[1].split("```", 1)[0]
    assert result.stdout.replace(str(default_config_path()), "config/default.toml") == block


def test_show_names_the_file_of_a_user_exercise(runner: CliRunner, tmp_path: Path) -> None:
    """An exercise of the user's says where it is defined; a built-in one does not."""
    path = tmp_path / "c.toml"
    path.write_text(
        '[[routines]]\nname = "p"\nexercises = ["mine"]\nevery = "20m"\n'
        '[[exercises]]\nid = "mine"\ntitle = "Mine"\nsteps = [{text = "Go.", seconds = 2}]\n'
    )
    assert (
        f"Defined in: {path}" in runner.invoke(cli, ["show", "mine", "--config", str(path)]).stdout
    )
    assert (
        "Defined in"
        not in runner.invoke(cli, ["show", "posture-check", "--config", str(path)]).stdout
    )


def test_architecture_layout_lists_every_module() -> None:
    """The Layout of docs/architecture.md names every module of the package, and no other."""
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = page.split("## Layout\n", 1)[1].split("```", 2)[1]
    listed: set[str] = set()
    package = ""
    for line in block.splitlines():
        if line.startswith("    ") and package:
            listed.add(package + line.split()[0])
        elif line.startswith("  "):
            entry = line.split()[0]
            package = entry if entry.endswith("/") else ""
            listed.add(entry)
    package_root = ROOT / "reminderd"
    # A subpackage is listed as "name/", its __init__.py optionally.
    modules = {
        str(path.relative_to(package_root)).replace("/__init__.py", "/")
        for path in package_root.rglob("*.py")
        if path.parent != package_root or path.name != "__init__.py"
    }
    assert {entry.replace("/__init__.py", "/") for entry in listed} == modules


def test_times_read_as_people_read_them() -> None:
    """Seconds under a minute, a weekday within a week, a date beyond it."""
    from datetime import datetime, timedelta, timezone

    from reminderd.when import when_text

    now = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    assert when_text(now + timedelta(seconds=11), now) == "10:00 (in 11s)"
    assert when_text(now + timedelta(minutes=12), now) == "10:12 (in 12m)"
    assert when_text(now + timedelta(hours=23), now) == "Tue 09:00 (in 23h)"
    assert when_text(now + timedelta(days=24, hours=-3), now) == "Thu 17 Dec 07:00 (in 24d)"


def test_status_lists_next_in_time_order() -> None:
    """`status` lists the coming routines soonest first, whatever the config's order."""
    from datetime import datetime, timezone

    from reminderd.statusline import status_lines

    now = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    data = {
        "reminderd": "x",
        "pid": 1,
        "uptime": 5,
        "config": "c",
        "config_origin": "user",
        "backend": "console",
        "backend_reason": "r",
        "voice": "off",
        "voice_reason": "r",
        "sounds": "off",
        "sounds_reason": "r",
        "dnd": None,
        "dnd_reason": "r",
        "idle": {"note": "off"},
        "paused": False,
        "routines": [
            {"name": "late", "next": "2026-11-23T15:00:00+00:00"},
            {"name": "never", "next": None},
            {"name": "soon", "next": "2026-11-23T10:30:00+00:00"},
        ],
    }
    lines = status_lines(cast("DaemonStatus", data), now)  # only the fields it reads
    start = lines.index("Next:")
    assert [line.split()[0] for line in lines[start + 1 :]] == ["soon", "late", "never"]


def test_configuration_example_is_the_example_file() -> None:
    """docs/configuration.md's full example is config/examples/office-week.toml, word for word."""
    readme = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    block = readme.split("config/examples/office-week.toml):\n\n```toml\n", 1)[1].split("```", 1)[0]
    assert block == (ROOT / "config" / "examples" / "office-week.toml").read_text()


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run runs the quick start's test command exactly as the README writes it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    after = readme.split("Install the test dependencies", 1)[1]
    command = after.split("```sh\n", 1)[1].split("```", 1)[0].strip()
    assert "\n" not in command
    assert command in (ROOT / ".ci" / "run").read_text().splitlines()


def test_tips_name_each_remedy_with_its_article(runner: CliRunner) -> None:
    """`tips` lists what the articles advise during a spasm, each with its article."""
    result = runner.invoke(cli, ["tips"])
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    for remedy in ("Moist heat", "ice cubes", "massaging", "slow breathing"):
        assert remedy in text
    assert '"Introduction to neck muscle spasms"' in text
    assert "see a doctor" in text


def test_readme_desktop_table_names_the_matrix_and_real_tests() -> None:
    """Every server of the matrix has its row in the README's table of desktops, and each
    test file a row names exists and mentions that server."""
    from tests.test_e2e_servers import SERVERS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Desktops, as the tests saw them\n", 1)[1]
    (table,) = [chunk for chunk in section.split("\n\n") if chunk.startswith("| server")][:1]
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    servers = {row.split("|")[1].strip().split()[0]: row for row in rows[2:]}
    for server in SERVERS:
        assert server.name in servers, server.name
    for name, row in servers.items():
        for test in re.findall(r"`(test_\w+\.py)`", row.split("|")[-2]):
            text = (ROOT / "tests" / test).read_text(encoding="utf-8").lower()
            assert name.lower() in text, (name, test)


def test_the_readme_is_short_and_its_contents_list_every_section() -> None:
    """The README stays a page people read (at most 25 KB; the rest is under docs/), and
    its table of contents links every section it has."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode()) <= 25_000
    contents = readme.split("## Contents\n", 1)[1].split("\n## ", 1)[0]
    sections = re.findall(r"(?m)^## (.+)$", readme)
    for title in sections:
        if title == "Contents":
            continue
        anchor = re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")
        assert f"](#{anchor})" in contents, title
