"""End to end with a real Syncthing between two machines (tests/syncthing.py): a routine
done on A moves B's next due time once Syncthing has carried A's presence file, and the
partial downloads and conflict copies Syncthing makes in the folder are skipped."""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import wait_for
from tests.syncthing import Pair
from tests.test_e2e_sync import Machine, machine_env

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not shutil.which("syncthing"), reason="apt-get install syncthing"),
]


@pytest.fixture
def pair(short_tmp: Path) -> Iterator[Pair]:
    syncing = Pair(short_tmp / "st")
    try:
        syncing.start()
        yield syncing
    finally:
        syncing.stop()


def test_syncthing_carries_a_routine_done_on_a_to_b(
    pair: Pair, user_env: dict[str, str], tmp_path: Path, short_tmp: Path
) -> None:
    """A routine done on A moves B's next due time once Syncthing has carried the file."""
    a = Machine(machine_env(user_env, tmp_path, short_tmp, "a"), pair.a.folder, "a", "1h")
    b = Machine(machine_env(user_env, tmp_path, short_tmp, "b"), pair.b.folder, "b", "1h")
    try:
        a.start()
        b.start()
        before = datetime.fromisoformat(b.routine()["next"])
        assert a.cli("run", "quick").returncode == 0
        moved = wait_for(lambda: (r := b.routine())["done_elsewhere"] and r, timeout=30)
        assert moved["done_elsewhere"]["machine"] == "a"
        done = datetime.fromisoformat(moved["done_elsewhere"]["at"])
        assert datetime.fromisoformat(moved["next"]) == done + timedelta(hours=1)
        assert datetime.fromisoformat(moved["next"]) > before
        assert (pair.b.folder / "a.presence.json").exists()  # Syncthing's copy, read on B
    finally:
        a.stop()
        b.stop()


def test_syncthing_partial_and_conflict_files_are_skipped(
    pair: Pair, caplog: pytest.LogCaptureFixture
) -> None:
    """A download in progress leaves `.syncthing.NAME.tmp` on B, and one file changed on
    both sides while they were apart becomes `NAME.sync-conflict-...`: B's reader skips
    each with one log line, and reads the real file."""
    from reminderd.sync import formats
    from reminderd.sync.reader import Reader

    caplog.set_level(logging.INFO, "reminderd")
    reader = Reader(pair.b.folder, "b")
    now = datetime.now().astimezone()

    # A partial download: a file of 20 MB takes a tenth of a second to cross, during
    # which B's folder holds Syncthing's temporary file; the watch would report its name.
    big = pair.a.folder / "big.history.2026-01.jsonl"
    big.write_bytes(os.urandom(20_000_000))
    partial = wait_for(
        lambda: [n for n in os.listdir(pair.b.folder) if n.startswith(".syncthing.")],
        timeout=20,
        interval=0.002,
    )
    for _ in range(3):
        reader.presences(now, partial)
    said = [r.getMessage() for r in caplog.records if partial[0] in r.getMessage()]
    assert said == [
        f"sync: skipped {partial[0]} in {pair.b.folder}: a partial download, still arriving"
    ]
    big.unlink()

    # A conflict: the same presence file changed on both sides while they were apart.
    theirs = formats.dump_presence(formats.Presence("c", now, done={"neck": now}))
    ours = formats.dump_presence(formats.Presence("c", now, done={"neck": now, "posture": now}))
    pair.pause_link(True)
    (pair.a.folder / "c.presence.json").write_text(theirs)
    (pair.b.folder / "c.presence.json").write_text(ours)
    wait_for(lambda: pair.a.scanned("c.presence.json", theirs), timeout=20)
    wait_for(lambda: pair.b.scanned("c.presence.json", ours), timeout=20)
    pair.pause_link(False)
    conflict = wait_for(
        lambda: (
            list(pair.b.folder.glob("*.sync-conflict-*"))
            + list(pair.a.folder.glob("*.sync-conflict-*"))
        ),
        timeout=30,
    )[0]
    folder = conflict.parent
    side = Reader(folder, "b")
    # Syncthing sets the losing copy aside first and then brings the winner in (for a
    # moment as a partial download): the real file is read once it is there.
    wait_for(lambda: "c" in [p.machine for p in side.presences(now)], timeout=20)
    said = [r.getMessage() for r in caplog.records if conflict.name in r.getMessage()]
    assert said == [
        f"sync: skipped {conflict.name} in {folder}: a sync engine's conflict copy"
        " (two machines with one [sync] machine name?)"
    ]
    assert json.loads((folder / "c.presence.json").read_text())["machine"] == "c"
