"""The sync folder's files: names, the presence file and history lines, this machine's
writer, the defensive reader of the others' files, and the rules for clocks that disagree."""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from reminderd.contracts import EventKind
from reminderd.history import History
from reminderd.model import Event
from reminderd.sync import formats, layout, merge
from reminderd.sync.reader import Reader
from reminderd.sync.writer import Writer

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


def presence(machine: str = "laptop", **fields: object) -> formats.Presence:
    values: dict[str, object] = {"machine": machine, "written": NOW, **fields}
    return formats.Presence(**values)  # type: ignore[arg-type]


def put(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def skipped(caplog: pytest.LogCaptureFixture, name: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if f"skipped {name} " in r.getMessage()]


def test_names_in_the_folder_are_classified() -> None:
    """Each machine's files, and the partial and conflict files sync engines make."""
    assert layout.classify("laptop.presence.json") == layout.Entry("presence", "laptop")
    assert layout.classify("desk-2.history.2026-11.jsonl") == layout.Entry(
        "history", "desk-2", "2026-11"
    )
    assert layout.classify(".syncthing.laptop.presence.json.tmp").kind == "partial"
    assert layout.classify("~syncthing~laptop.presence.json.tmp").kind == "partial"
    assert layout.classify("laptop.presence.sync-conflict-20261123-100500-ABCDEF7.json").kind == (
        "conflict"
    )
    assert layout.classify("laptop.presence (conflicted copy 2026-11-23).json").kind == "conflict"
    for other in ("laptop.history.2026-13.jsonl", "a.b.presence.json", ".stfolder", "notes.txt"):
        assert layout.classify(other).kind == "other"


def test_default_machine_name_is_the_host_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """The host name's first label, with what a file name cannot hold replaced."""
    fake = os.uname_result(("Linux", "Ada's Laptop.local", "6", "#1", "x86_64"))
    monkeypatch.setattr(os, "uname", lambda: fake)
    assert layout.default_machine() == "Ada-s-Laptop"


def test_presence_round_trip() -> None:
    """What the writer writes, the reader reads back whole."""
    original = presence(
        active=NOW,
        done={"neck": NOW - timedelta(minutes=5)},
        running=formats.Running("posture", NOW, NOW + timedelta(minutes=2)),
        pause=formats.Statement(NOW, NOW + timedelta(hours=1)),
    )
    raw = formats.dump_presence(original).encode()
    assert formats.load_presence(raw, "laptop") == original
    forever = presence(pause=formats.Statement(NOW, None, forever=True))
    assert formats.load_presence(formats.dump_presence(forever).encode(), "laptop") == forever


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"", "empty (still arriving?)"),
        (b'{"reminderd": 1, "machine": "lap', "not JSON"),
        (b"\xff\xfe garbage", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"reminderd": 2, "machine": "laptop"}', "format 2, not 1: a newer reminderd?"),
        (b'{"reminderd": 1, "machine": "desk"}', "it names the machine 'desk'"),
        (b'{"reminderd": 1, "machine": "laptop", "written": "10:00", "done": {}}', "not a time"),
    ],
)
def test_unusable_presence_files_are_refused(raw: bytes, why: str) -> None:
    """Half-synced, truncated, foreign or garbage presence files are not read."""
    with pytest.raises(formats.FormatError, match="^" + re.escape(why)):
        formats.load_presence(raw, "laptop")


def test_history_line_round_trip_and_bounds() -> None:
    """A history row goes out as one line and comes back the same; a line reminderd would
    not write is refused."""
    row = (
        7,
        NOW.timestamp(),
        "2026-11-23",
        "routine.completed",
        "neck",
        "schedule",
        90.0,
        '{"x":1}',
        "completed",
    )
    line = formats.dump_row(row)
    assert line.endswith("\n")
    assert "\n" not in line[:-1]
    assert formats.load_row(line.encode()) == row
    for bad in (
        {**json.loads(line), "kind": "routine.exploded"},
        {**json.loads(line), "ts": "soon"},
        {**json.loads(line), "seconds": -1},
        {**json.loads(line), "outcome": "maybe"},
        {**json.loads(line), "id": True},
    ):
        with pytest.raises(formats.FormatError):
            formats.load_row(json.dumps(bad).encode())
    with pytest.raises(formats.FormatError):
        formats.load_row(b'{"id": 1, "ts"')


# -- the clock rules ----------------------------------------------------------------------


def test_a_time_a_little_ahead_is_taken_at_now() -> None:
    """Two minutes ahead is a fast clock: taken at now. An hour or more ahead: ignored."""
    assert merge.judged(NOW - timedelta(minutes=3), NOW) == (NOW - timedelta(minutes=3), 0.0)
    assert merge.judged(NOW + timedelta(minutes=2), NOW) == (NOW, 120.0)
    assert merge.judged(NOW + timedelta(hours=1), NOW) == (None, 3600.0)


def test_rules_pass_each_report_on_once() -> None:
    """The same presence read twice changes nothing the second time; a routine reported
    done an hour ahead is ignored with a note; done two minutes ahead counts as now."""
    rules = merge.Rules()
    report = presence(
        done={"neck": NOW + timedelta(minutes=2), "posture": NOW + timedelta(hours=2)}
    )
    actions, notes = rules.read(report, NOW)
    assert actions == [merge.Done("neck", "laptop", NOW)]
    assert notes == [
        "laptop: posture reported done 2h ahead of this machine's clock; ignored (set the clocks right)"
    ]
    assert rules.read(report, NOW + timedelta(seconds=30)) == ([], [])


def test_rules_follow_a_routine_in_progress() -> None:
    """Started elsewhere: busy until its end there (shifted back by a fast clock's lead);
    ended there: no longer."""
    rules = merge.Rules()
    since = NOW + timedelta(minutes=1)  # the laptop's clock is a minute fast
    running = formats.Running("neck", since, since + timedelta(minutes=3))
    actions, _ = rules.read(presence(running=running), NOW)
    assert actions == [merge.Busy("neck", "laptop", NOW + timedelta(minutes=3))]
    actions, _ = rules.read(presence(), NOW + timedelta(minutes=1))
    assert actions == [merge.Busy("neck", "laptop", None)]


def test_rules_for_a_shared_pause() -> None:
    """A newer pause statement pauses here; the resume after it resumes; an older one
    than what this machine said itself changes nothing."""
    rules = merge.Rules()
    rules.said_here(NOW - timedelta(minutes=10), paused=False)
    old = formats.Statement(NOW - timedelta(minutes=20), NOW + timedelta(hours=1))
    assert rules.read(presence(pause=old), NOW)[0] == []
    paused = formats.Statement(NOW, NOW + timedelta(hours=1))
    assert rules.read(presence(pause=paused), NOW)[0] == [
        merge.Pause("laptop", NOW + timedelta(hours=1))
    ]
    resumed = formats.Statement(NOW + timedelta(minutes=5), None)
    later = NOW + timedelta(minutes=5)
    assert rules.read(presence(pause=resumed), later)[0] == [merge.Resume("laptop")]


# -- the writer ---------------------------------------------------------------------------


def history_with(path: Path, *kinds: EventKind, at: datetime = NOW) -> History:
    store = History(path, lambda: timezone.utc)
    for index, kind in enumerate(kinds):
        data = {"reason": "schedule", "outcome": "completed", "exercise_seconds": 30.0}
        store.record(Event(kind, at + timedelta(minutes=index), "neck", data))
    return store


def test_writer_exports_the_history_month_by_month(tmp_path: Path) -> None:
    """Each export appends the new rows (steps left out) to their month's file, atomically:
    no temporary file stays, and every line reads back."""
    store = history_with(
        tmp_path / "h.sqlite3", "routine.fired", "routine.step", "routine.completed"
    )
    folder = tmp_path / "sync"
    writer = Writer(folder, "desk", store)
    writer.start(NOW, None)
    store.record(Event("routine.skipped", NOW + timedelta(days=10), "neck", {"reason": "cli"}))
    assert writer.export() == 1
    assert sorted(os.listdir(folder)) == [
        "desk.history.2026-11.jsonl",
        "desk.history.2026-12.jsonl",
        "desk.presence.json",
    ]
    rows = [
        formats.load_row(line)
        for line in (folder / "desk.history.2026-11.jsonl").read_bytes().splitlines()
    ]
    assert [row[3] for row in rows] == ["routine.fired", "routine.completed"]
    assert writer.export() == 0


def test_writer_catches_up_after_the_folder_was_unwritable(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """While the folder cannot be written, reminders go on and one warning says so; the
    next export writes every row recorded meanwhile: no row is lost."""
    store = history_with(tmp_path / "h.sqlite3", "routine.completed")
    folder = tmp_path / "sync"
    writer = Writer(folder, "desk", store)
    writer.start(NOW, None)
    away = tmp_path / "away"
    folder.rename(away)
    folder.write_text("a file where the folder was: nothing can be written into it\n")
    store.record(Event("routine.completed", NOW, "neck", {"outcome": "completed"}))
    store.record(Event("routine.completed", NOW, "neck", {"outcome": "completed"}))
    assert writer.export() == 0
    assert writer.export() == 0
    folder.unlink()
    away.rename(folder)
    assert len([r for r in caplog.records if "cannot write" in r.getMessage()]) == 1
    assert writer.export() == 2


def test_writer_fills_an_emptied_folder_again(tmp_path: Path) -> None:
    """A folder emptied by mistake gets this machine's whole history at the next start."""
    store = history_with(tmp_path / "h.sqlite3", "routine.fired", "routine.completed")
    folder = tmp_path / "sync"
    Writer(folder, "desk", store).start(NOW, None)
    for name in os.listdir(folder):
        (folder / name).unlink()
    Writer(folder, "desk", store).start(NOW, None)
    lines = (folder / "desk.history.2026-11.jsonl").read_bytes().splitlines()
    assert len(lines) == 2


def test_writer_carries_on_from_its_last_line(tmp_path: Path) -> None:
    """A restart exports only what came after the last line already in the folder."""
    store = history_with(tmp_path / "h.sqlite3", "routine.completed")
    folder = tmp_path / "sync"
    Writer(folder, "desk", store).start(NOW, None)
    store.record(Event("routine.snoozed", NOW, "neck", {"reason": "cli"}))
    Writer(folder, "desk", store).start(NOW, None)
    kinds = [
        json.loads(line)["kind"]
        for line in (folder / "desk.history.2026-11.jsonl").read_text().splitlines()
    ]
    assert kinds == ["routine.completed", "routine.snoozed"]


# -- the reader ---------------------------------------------------------------------------


def test_reader_skips_each_unusable_file_with_one_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Conflict copies, partial downloads, garbage, a file from the future and a symbolic
    link are skipped with one log line each, however often the folder is read; the good
    file is read."""
    caplog.set_level(logging.INFO, "reminderd")
    good = formats.dump_presence(presence("laptop", done={"neck": NOW}))
    put(tmp_path, "laptop.presence.json", good)
    put(tmp_path, "laptop.presence.sync-conflict-20261123-100500-ABCDEF7.json", good)
    put(tmp_path, ".syncthing.tablet.presence.json.tmp", good[:20])
    put(tmp_path, "garbage.presence.json", b"\x00\x01 not json")
    put(
        tmp_path,
        "future.presence.json",
        formats.dump_presence(presence("future", written=NOW + timedelta(hours=3))),
    )
    put(tmp_path, "half.presence.json", good.replace('"laptop"', '"half"')[:40])
    (tmp_path / "link.presence.json").symlink_to(tmp_path / "laptop.presence.json")
    reader = Reader(tmp_path, "desk")
    for _ in range(3):
        found = reader.presences(NOW)
        reader._stamps.clear()  # as if every file had changed again
    assert [p.machine for p in found] == ["laptop"]
    for name in (
        "laptop.presence.sync-conflict-20261123-100500-ABCDEF7.json",
        ".syncthing.tablet.presence.json.tmp",
        "garbage.presence.json",
        "future.presence.json",
        "half.presence.json",
        "link.presence.json",
    ):
        assert len(skipped(caplog, name)) == 1, name
    assert skipped(caplog, "future.presence.json") == [
        f"sync: skipped future.presence.json in {tmp_path}: written 3h ahead of this machine's clock (set the clocks right)"
    ]


def test_reader_reads_a_presence_file_again_only_when_it_changed(tmp_path: Path) -> None:
    """An unchanged file is not read again; a rewritten one is."""
    put(tmp_path, "laptop.presence.json", formats.dump_presence(presence()))
    reader = Reader(tmp_path, "desk")
    assert len(reader.presences(NOW)) == 1
    assert reader.presences(NOW) == []
    put(tmp_path, "laptop.presence.json", formats.dump_presence(presence(done={"neck": NOW})))
    assert [p.done for p in reader.presences(NOW, ["laptop.presence.json"])] == [{"neck": NOW}]


def test_reader_keeps_the_good_lines_of_a_damaged_history(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A damaged line, a line from the future and a last line cut short are skipped,
    named in one log line; every other line counts."""
    row = (
        1,
        NOW.timestamp(),
        "2026-11-23",
        "routine.completed",
        "neck",
        None,
        30.0,
        "{}",
        "completed",
    )
    future = (
        2,
        (NOW + timedelta(hours=5)).timestamp(),
        "2026-11-23",
        "routine.fired",
        "neck",
        None,
        None,
        "{}",
        None,
    )
    text = (
        formats.dump_row(row) + "garbage\n" + formats.dump_row(future) + formats.dump_row(row)[:30]
    )
    path = put(tmp_path, "laptop.history.2026-11.jsonl", text)
    reader = Reader(tmp_path, "desk")
    assert list(reader.history(path, NOW)) == [row]
    assert skipped(caplog, path.name) == [
        f"sync: skipped {path.name} in {tmp_path}: its last line is cut short (still arriving?),"
        " 1 damaged line, 1 event an hour or more ahead of this machine's clock: skipped; the rest is read"
    ]
