"""The folder watch: inotify through the kernel interface, its file descriptor ready for
the daemon's selector when a file is renamed or written into the folder, and quiet
otherwise."""

from __future__ import annotations

import os
import selectors
import shutil
import sys
from pathlib import Path

import pytest

from reminderd.state import write_atomic
from reminderd.sync.watch import FolderWatch

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")


def readable(watch: FolderWatch, timeout: float = 0.0) -> bool:
    with selectors.DefaultSelector() as selector:
        selector.register(watch, selectors.EVENT_READ)
        return bool(selector.select(timeout))


def test_a_file_renamed_into_the_folder_wakes_the_selector(tmp_path: Path) -> None:
    """An atomic write (what the writer and Syncthing do) makes the watch readable and
    names the file; nothing waits when nothing happened."""
    watch, reason = FolderWatch.open(tmp_path)
    assert watch is not None, reason
    try:
        assert reason == "watching the folder (inotify)"
        assert not readable(watch)
        write_atomic(tmp_path / "laptop.presence.json", "{}\n")
        assert readable(watch, 5.0)
        assert "laptop.presence.json" in watch.read().names
        assert not readable(watch)
        with (tmp_path / "laptop.history.2026-11.jsonl").open("a") as file:  # in place
            file.write("{}\n")
        assert readable(watch, 5.0)
        assert watch.read().names == ("laptop.history.2026-11.jsonl",)
    finally:
        watch.close()


def test_a_folder_that_goes_away_ends_the_watch(tmp_path: Path) -> None:
    """Removing the folder is reported as lost, so the daemon falls back to reading it
    when a routine falls due."""
    folder = tmp_path / "sync"
    folder.mkdir()
    watch, _ = FolderWatch.open(folder)
    assert watch is not None
    try:
        shutil.rmtree(folder)
        assert readable(watch, 5.0)
        assert watch.read().lost
    finally:
        watch.close()


def test_no_folder_no_watch(tmp_path: Path) -> None:
    """A folder that does not exist cannot be watched; the reason says what happens."""
    watch, reason = FolderWatch.open(tmp_path / "missing")
    assert watch is None
    assert reason == "the folder does not exist: it is read when a routine falls due"
    assert os.listdir(tmp_path) == []
