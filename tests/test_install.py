"""The quick start on a system whose Python refuses `pip install` (PEP 668): pipx installs
reminderd into a place that stays, and the installed command works."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.install]

SYSTEM_PYTHON = Path("/usr/bin/python3")


def externally_managed() -> bool:
    return SYSTEM_PYTHON.exists() and bool(glob.glob("/usr/lib/python3*/EXTERNALLY-MANAGED"))


@pytest.mark.skipif(
    not (externally_managed() and shutil.which("pipx")),
    reason="needs a system Python that refuses pip install (PEP 668) and pipx "
    "(Debian 12 / Ubuntu 24.04: apt-get install pipx)",
)
def test_pipx_installs_where_pip_is_refused(tmp_path: Path, short_tmp: Path) -> None:
    """In a clean home, the system Python refuses `pip install .`; the README's
    `pipx install .` works, and the installed `reminderd` answers --version and check, and
    `start` says when the first reminder comes and how to see a routine now; its German and
    Chinese catalogues are installed with it."""
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "HOME": str(home),
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PIPX_HOME": str(home / ".local" / "pipx"),
        "PIPX_BIN_DIR": str(home / ".local" / "bin"),
        "XDG_RUNTIME_DIR": str(short_tmp),
        **{k: v for k, v in os.environ.items() if k.startswith("PIP_")},
    }
    source = tmp_path / "clone"
    caches = ("__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis")
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv", ".git", *caches))
    refused = subprocess.run(
        [str(SYSTEM_PYTHON), "-m", "pip", "install", "."],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode != 0
    assert "externally-managed-environment" in refused.stderr + refused.stdout or (
        "No module named pip" in refused.stderr
    )
    installed = subprocess.run(
        ["pipx", "install", "."],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stderr
    command = home / ".local" / "bin" / "reminderd"
    version = subprocess.run(
        [str(command), "--version"], env=env, capture_output=True, text=True, check=False
    )
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("reminderd, version ")
    check = subprocess.run(
        [str(command), "check"], env=env, capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stderr
    assert "OK, 4 routines, 5 exercises." in check.stdout
    assert "pipx" in check.stdout  # the built-in config, from the installed package
    # The compiled catalogues are installed with it: German, and Chinese.
    for language, words in (("de_DE.UTF-8", "OK, 4 Routinen"), ("zh_CN.UTF-8", "4 个训练")):
        said = subprocess.run(
            [str(command), "check"],
            env={**env, "LANG": language},
            capture_output=True,
            text=True,
            check=False,
        )
        assert words in said.stdout, said.stdout
    started = subprocess.run(
        [str(command), "start", "--detach"], env=env, capture_output=True, text=True, check=False
    )
    try:
        assert started.returncode == 0, started.stderr
        assert re.fullmatch(
            r"First reminder: \w+ at .+\. Try one now: `reminderd run \w+`\.",
            started.stdout.splitlines()[-1],
        )
    finally:
        subprocess.run([str(command), "stop"], env=env, capture_output=True, check=False)
