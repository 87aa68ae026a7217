"""The config read in a process apart, as the daemon reads it: the same config, or the same
problems, as reading it here; a reader that fails leaves a clear error, never a config."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reminderd.config import STRICT, ConfigSource, Limits, default_config_path, find_config
from reminderd.config.apart import (
    decode,
    encode,
    first_then_apart,
    hand_over,
    read_apart,
    read_here,
    taken_over,
)
from reminderd.config.examples import examples
from reminderd.errors import ConfigError, ReminderError
from reminderd.i18n import text, use

EVERY_EXAMPLE = [default_config_path(), *(example.path for example in examples())]
HOURS_AND_HOOKS = """
[schedule]
pause_when_idle = "5m"

[schedule.hours]
mon = ["08:30-12:00", "13:00-17:30"]
fri = ["09:00-13:00"]

[guidance]
voice = ["spd-say", "--wait"]
language = "de"

[[hooks]]
event = "routine.completed"
command = ["true"]

[sync]
folder = "{folder}"
machine = "desk"

[[routines]]
name = "own"
exercises = ["wave"]
at = ["09:15", "16:45"]
days = ["mon", "wed"]

[[exercises]]
id = "wave"
title = "Wave"
sides = ["right", "left"]
steps = [{{ text = "Wave your {{side}} hand", seconds = 4, pose = {{ head = "tilt", toward = "{{side}}" }} }}]
"""


@pytest.mark.parametrize("path", EVERY_EXAMPLE, ids=lambda path: path.name)
def test_every_shipped_config_read_apart_is_the_config_read_here(path: Path) -> None:
    """The default config and every example, read in a process apart, equal the config
    read in this process, field by field, the exercises' mapping read-only as here."""
    source = find_config(path)
    here, apart = read_here(source, STRICT), read_apart(source, STRICT)
    assert apart == here
    assert type(apart.exercises).__name__ == "mappingproxy"


def test_a_config_with_every_kind_of_value_comes_back_whole(tmp_path: Path) -> None:
    """Times of day, weekdays, a voice command, hooks, a sync folder, sides and a pose, and
    the lowered limits the test suite uses: all come back as they were read here."""
    path = tmp_path / "config.toml"
    path.write_text(HOURS_AND_HOOKS.format(folder=tmp_path / "sync"), encoding="utf-8")
    source = ConfigSource(path, "--config")
    limits = Limits(1.0, 1.0)
    here = read_here(source, limits)
    assert here.hooks
    assert here.sync
    assert here.routines[0].trigger.at
    assert read_apart(source, limits) == here


def test_problems_read_apart_are_the_same_problems_said_the_same_in_german(
    tmp_path: Path,
) -> None:
    """A broken config read apart raises ConfigError with every problem, each with its file,
    line, key and fix, and each said again in German as the one read here is."""
    path = tmp_path / "broken.toml"
    path.write_text(
        '[schedule]\nhours = "mon-fri 25:00-26:00"\n\n[[routines]]\nname = "x"\n'
        'exercises = ["nosuch"]\nevery = "1s"\n',
        encoding="utf-8",
    )
    source = ConfigSource(path, "--config")
    with pytest.raises(ConfigError) as here:
        read_here(source, STRICT)
    with pytest.raises(ConfigError) as apart:
        read_apart(source, STRICT)
    assert len(apart.value.problems) >= 2
    assert apart.value.problems == here.value.problems
    use("de")
    try:
        assert [text(p.said()) for p in apart.value.problems] == [
            text(p.said()) for p in here.value.problems
        ]
        assert text(apart.value.problems[0].said()) != str(apart.value.problems[0].said())
    finally:
        use("en")


def test_a_reader_that_cannot_finish_is_an_error_not_a_config() -> None:
    """A reader that takes too long is ended and said so; the caller gets ReminderError
    (a reload then keeps the config in use)."""
    source = find_config(default_config_path())
    with pytest.raises(ReminderError, match="the config reader failed"):
        read_apart(source, STRICT, timeout=0.001)  # no interpreter starts that fast


def test_the_reader_answers_only_with_a_config_or_problems() -> None:
    """The reader's own side: a source and limits in, one JSON answer out; decoding makes
    only the records a config is made of, and refuses anything else."""
    request = json.dumps([encode(find_config(default_config_path())), encode(STRICT)])
    done = subprocess.run(
        [sys.executable, "-m", "reminderd.config.apart"],
        input=request.encode(),
        capture_output=True,
        check=True,
        timeout=60,
    )
    kind, value = json.loads(done.stdout)
    assert kind == "config"
    assert decode(value) == read_here(find_config(default_config_path()), STRICT)
    for forged in (["record", "Popen", []], ["code", "x"], {"a": 1}, ["tuple"]):
        with pytest.raises(ValueError, match=r"not a config value|not a record"):
            decode(forged)


def test_start_hands_its_config_over_and_the_daemon_reads_only_its_reloads(
    tmp_path: Path,
) -> None:
    """What `start` read is handed to the daemon on a descriptor (read once, then closed),
    used at start; the next read, a reload, is read apart and sees the file as it is now;
    a descriptor that holds anything else is refused."""
    source = find_config(default_config_path())
    config = read_here(source, STRICT)
    fd = hand_over(config)
    read = first_then_apart(taken_over(fd))
    with pytest.raises(OSError, match="Bad file descriptor"):
        os.fstat(fd)  # closed once read
    path = tmp_path / "config.toml"
    path.write_text(default_config_path().read_text(encoding="utf-8"), encoding="utf-8")
    assert read(source, STRICT) == config
    path.write_text(
        '[notifications]\nbackend = "console"\n\n[[routines]]\nname = "posture"\n'
        'exercises = ["posture-check"]\nevery = "45m"\n',
        encoding="utf-8",
    )
    reloaded = read(ConfigSource(path, "--config"), STRICT)
    assert reloaded.backend == "console"
    forged = os.open(tmp_path / "forged.json", os.O_RDWR | os.O_CREAT)
    os.write(forged, b'["record", "Limits", [1, 1]]')
    os.lseek(forged, 0, os.SEEK_SET)
    with pytest.raises(ReminderError, match="not a config"):
        taken_over(forged)
