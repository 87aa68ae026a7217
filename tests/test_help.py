"""`--help` at 80 columns: every command's description is a whole sentence that fits."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from reminderd.cli import cli


@pytest.mark.parametrize("group", [[], ["config"], ["service"]])
def test_help_at_80_columns_cuts_no_description(group: list[str]) -> None:
    """`reminderd --help` (and each group's) at 80 columns lists every command with its
    whole first sentence: nothing cut with "...", each ending with its full stop."""
    result = CliRunner().invoke(cli, [*group, "--help"], terminal_width=80, prog_name="reminderd")
    assert result.exit_code == 0
    listed = result.stdout.split("Commands:\n", 1)[1].splitlines()
    assert not [line for line in listed if "..." in line]
    assert len(listed) >= (20 if not group else 3)
    for line in listed:
        _name, description = line.split(maxsplit=1)
        assert len(line) <= 80, line
        assert description[0].isupper(), line
        assert description.endswith("."), line


def test_run_without_a_name_lists_what_it_can_guide(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    """`reminderd run` with no name lists the routines and exercises, and how to run one."""
    monkeypatch.delenv("REMINDERD_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    result = CliRunner().invoke(cli, ["run"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "Routines:",
        "  posture                 Posture check, 42s",
        "  neck                    Neck stretches, 1m50s",
    ]
    assert "Exercises:" in lines
    assert "  shoulder-blade-squeeze  Shoulder-blade squeeze, 4m24s" in lines
    assert lines[-1] == "Guide one now with `reminderd run NAME`."
