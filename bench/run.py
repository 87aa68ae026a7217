"""reminderd's benchmark: what the daemon costs while it waits, how fast it answers, and
how exactly it keeps time. One line per figure, each with its target.

    python bench/run.py            # the full run (about nine minutes)
    python bench/run.py --quick    # a short run, as CI does it
    python bench/run.py --docs     # also draw the recorded neck routine into docs/voice-neck.svg

Everything runs here and now, side by side with the floor (a bare Python interpreter of
the same kind), in private folders and, where dbus-daemon is installed, on a private
session bus with a notification server that records what it receives.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Generator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402 - what the test helpers' waits raise

from tests.buses import start_dbus  # noqa: E402 - the repository root is on the path only now

SERVER = ROOT / "tests" / "notification_server.py"


class Bench:
    bus: subprocess.Popen[bytes] | None = None  # the private session bus, once started

    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self.folder = Path(tempfile.mkdtemp(prefix="reminderd-bench-"))
        self.processes: list[subprocess.Popen[Any]] = []
        self.env = self._environment()
        self.record = self.folder / "notifications.jsonl"
        self.results: list[tuple[str, bool]] = []

    # -- set-up -----------------------------------------------------------------------------

    def _environment(self) -> dict[str, str]:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "XDG_", "REMINDERD_"))
        }
        runtime = self.folder / "runtime"
        runtime.mkdir(mode=0o700)
        env.update(
            HOME=str(self.folder),
            XDG_RUNTIME_DIR=str(runtime),
            XDG_CONFIG_HOME=str(self.folder / "config"),
            XDG_STATE_HOME=str(self.folder / "state"),
            XDG_DATA_HOME=str(self.folder / "data"),
        )
        # Someone who has read the safety note: its notification at the first start would
        # come before the figures' own.
        from reminderd.safety_notice import record

        record(self.folder / "state" / "reminderd")
        return env

    def spawn(self, argv: list[str], **kwargs: Any) -> subprocess.Popen[Any]:
        process = subprocess.Popen(argv, **{"env": self.env, **kwargs})
        self.processes.append(process)
        return process

    def desktop(self) -> str:
        """A private session bus with the recording notification server, if possible."""
        if not shutil.which("dbus-daemon"):
            return "no dbus-daemon: the daemon runs with the console backend"
        address, bus = start_dbus(self.folder, env=self.env)
        self.processes.append(bus)
        self.bus = bus
        self.env["DBUS_SESSION_BUS_ADDRESS"] = address
        self.spawn(
            [
                sys.executable,
                str(SERVER),
                "--address",
                self.env["DBUS_SESSION_BUS_ADDRESS"],
                "--record",
                str(self.record),
            ]
        )
        self.wait(lambda: self.record.exists() and "ready" in self.record.read_text(), 10)
        return "private session bus, recording notification server"

    def received(self) -> list[dict[str, Any]]:
        """Every call the recording notification server received, in order."""
        return [json.loads(line) for line in self.record.read_text().splitlines()]

    @staticmethod
    def wait(predicate: Any, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out waiting for {predicate}")
            time.sleep(0.02)

    def reminderd(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "reminderd", *args],
            env={**self.env, "LANGUAGE": "en"},  # its output is read here
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )

    def start_daemon(self, config: Path, language: str = "en") -> int:
        self.spawn(
            [sys.executable, "-m", "reminderd", "start", "--config", str(config)],
            env={**self.env, "LANGUAGE": language},
            stdout=subprocess.DEVNULL,
            stderr=(self.folder / "daemon.log").open("w"),
        )
        self.wait(lambda: self.reminderd("status").returncode == 0, 20)
        return int(json.loads(self.reminderd("status", "--json").stdout)["pid"])

    def modules(self) -> list[str]:
        """The modules the running daemon has loaded, asked over its control socket."""
        from reminderd import control

        socket = Path(self.env["XDG_RUNTIME_DIR"]) / "reminderd" / "control.sock"
        return list(control.request(socket, "modules", timeout=5.0)["modules"])

    def report(self, name: str, value: str, target: str, ok: bool) -> None:
        self.results.append((name, ok))
        print(f"{name}: {value} (target: {target}) {'OK' if ok else 'MISSED'}", flush=True)

    def close(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


# -- measurements ------------------------------------------------------------------------------


def memory(pid: int) -> tuple[float, float]:
    """RSS and PSS in MB, from /proc/PID/smaps_rollup."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        parts = line.split()
        if parts and parts[0] in ("Rss:", "Pss:"):
            fields[parts[0]] = int(parts[1]) / 1024
    return fields["Rss:"], fields["Pss:"]


def switches(pid: int) -> int:
    """Voluntary plus involuntary context switches of every thread of ``pid``."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for line in (task / "status").read_text().splitlines():
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                total += int(line.split()[1])
    return total


def median_ms(argv: list[str], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=False)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="a short run (about 100 s), as CI does it"
    )
    parser.add_argument(
        "--docs", action="store_true", help="draw the recorded neck routine into docs/"
    )
    arguments = parser.parse_args()
    quick, docs = arguments.quick, arguments.docs
    settle, window, runs, steps, days = (3, 15, 5, 10, 3) if quick else (20, 120, 20, 60, 30)
    bench = Bench(quick)
    try:
        print(
            f"reminderd benchmark{' (quick)' if quick else ''}: Python {sys.version.split()[0]} on "
            f"{os.uname().sysname} {os.uname().machine}, {os.cpu_count()} cores; {bench.desktop()}",
            flush=True,
        )
        config = ROOT / "config" / "default.toml"
        pid = bench.start_daemon(config)
        bare = bench.spawn([sys.executable, "-c", "import time; time.sleep(1e6)"])
        time.sleep(settle)

        # 1. memory, and 2. wake-ups: both measured before the daemon is asked anything (a
        # client's closing, answered a moment later, would be a wake-up of the window)
        rss, pss = memory(pid)
        bare_rss, bare_pss = memory(bare.pid)
        ratio = rss / bare_rss
        before, bare_before = switches(pid), switches(bare.pid)
        time.sleep(window)
        per_minute = (switches(pid) - before) * 60 / window
        bare_per_minute = (switches(bare.pid) - bare_before) * 60 / window
        modules = bench.modules()
        ours = sum(1 for name in modules if name.split(".")[0] == "reminderd")
        bench.report(
            "1. idle memory",
            f"reminderd RSS {rss:.1f} MB, PSS {pss:.1f} MB; bare python RSS "
            f"{bare_rss:.1f} MB, PSS {bare_pss:.1f} MB; "
            f"ratio RSS {ratio:.2f}x, PSS {pss / bare_pss:.2f}x; "
            f"{len(modules)} modules loaded, {ours} of them reminderd's",
            "RSS at most 2x",
            ratio <= 2.0,
        )
        bench.report(
            "2. idle wake-ups",
            f"{per_minute:.2f} context switches per minute over {window} s, all "
            f"threads (bare python: {bare_per_minute:.2f})",
            "at most 1 per minute",
            per_minute <= 1,
        )

        # 3. status round trip
        status = median_ms([sys.executable, "-m", "reminderd", "status"], bench.env, runs)
        floor = median_ms([sys.executable, "-c", "pass"], bench.env, runs)
        bench.report(
            "3. status round trip",
            f"median {status:.1f} ms of {runs}; python -c pass {floor:.1f} ms; "
            f"ratio {status / floor:.2f}x",
            "at most 4x",
            status / floor <= 4,
        )

        # 4. step timing
        step_timing(bench, steps)

        # 5. a simulated month
        simulate_month(bench, config, days)

        # 6-8. guidance: the neck routine heard from the speakers, every routine's voice
        # plan, the idle cost with voice and sounds on
        guarded(bench, "6. heard from the speakers", heard, bench, quick, docs)
        guarded(bench, "7. voice plans", voice_plans, bench)
        guarded(
            bench,
            "8. idle with voice and sounds on",
            guidance_idle,
            bench,
            config,
            rss,
            settle,
            window,
        )

        # 9. the panel icon shown: still no periodic wake-up, little memory
        guarded(
            bench,
            "9. idle with the panel icon shown",
            panel_idle,
            bench,
            config,
            rss,
            settle,
            window,
        )

        # 10-12. a sync folder: idle cost, a file arriving to the re-plan, stats over two
        synced = guarded(
            bench, "10. idle with a sync folder", sync_idle, bench, config, rss, settle, window
        )
        if synced is not None:
            guarded(
                bench,
                "11. a file arriving to the re-plan",
                sync_replan,
                bench,
                synced,
                3 if quick else 10,
            )
            guarded(bench, "12. stats over 2 machines x 1 year", sync_stats, bench, config, synced)
        # 13. step pictures: their size, the time to draw them, the idle daemon with them
        guarded(bench, "13. step pictures", pictures, bench, config, settle, window)

        # 15-16. holds: one "may I start now?" check with every source, and what loading
        # the holds package costs the daemon once a routine is due
        guarded(
            bench, "15. a hold check with every source", holds_check, bench, 20 if quick else 200
        )
        guarded(bench, "16. the holds package", holds_memory, bench, settle, window)

        # 17. a flood of panel calls: status still answered at once, no memory kept
        guarded(bench, "17. status during a panel flood", panel_flood, bench, config, 10_000)

        # 18-19. another language: the idle daemon, and `status` in German
        guarded(bench, "18. idle in German", language_idle, bench, config, rss, settle, window)
        guarded(bench, "19. status in German", language_status, bench, runs)
    finally:
        bench.close()
    missed = [name for name, ok in bench.results if not ok]
    print(
        f"{len(bench.results) - len(missed)} of {len(bench.results)} figures on target"
        + (f"; missed: {', '.join(missed)}" if missed else "")
    )
    return 0


def guarded(bench: Bench, name: str, figure: Callable[..., T], *args: Any) -> T | None:
    """``figure(*args)``, or, when what it needs does not come up (a PipeWire or an X client
    that did not start in time, seen once in a while on a loaded machine), the figure
    reported missed with the reason, so that the figures after it are still measured."""
    try:
        return figure(*args)
    except (Exception, pytest.fail.Exception) as error:
        bench.report(name, f"not measured: {type(error).__name__}: {error}", "measured", False)
        return None


def step_timing(bench: Bench, steps: int) -> None:
    if "DBUS_SESSION_BUS_ADDRESS" not in bench.env:
        print("4. step timing: skipped, no dbus-daemon to receive notifications")
        return
    config = bench.folder / "steps.toml"
    config.write_text(
        '[[routines]]\nname = "bench"\nexercises = ["ticks"]\nat = ["03:00"]\n'
        '[[exercises]]\nid = "ticks"\ntitle = "Ticks"\nreps = ' + str(steps) + "\n"
        '[[exercises.steps]]\ntext = "Tick."\nseconds = 1\n'
    )
    done = bench.reminderd("run", "bench", "--here", "--config", str(config), timeout=steps + 60)
    if done.returncode != 0:
        print(f"4. step timing: run failed: {done.stderr.strip()}")
        return
    sent = [json.loads(line) for line in bench.record.read_text().splitlines()]
    sent = [entry for entry in sent if entry["method"] == "Notify"]
    start = sent[0]["mono"]
    offsets = [
        0.0,
        5.0,
        *[5.0 + i for i in range(1, steps + 1)],
    ]  # intro 5 s, then 1 s steps, then done
    lateness = [
        (entry["mono"] - start - offset) * 1000
        for entry, offset in zip(sent, offsets, strict=False)
    ][1:]
    p50, p99, worst = percentile(lateness, 0.5), percentile(lateness, 0.99), max(lateness)
    drift = lateness[-1]
    ok = p99 <= 50 and abs(drift) <= 100
    bench.report(
        "4. step timing",
        f"{len(lateness)} notifications of a {steps}-step routine of 1 s steps: "
        f"lateness p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms; "
        f"last step drift {drift:.1f} ms",
        "p99 at most 50 ms, drift at most 100 ms",
        ok,
    )


def voice_plans(bench: Bench) -> None:
    """7. Each built-in routine planned from the lengths espeak-ng gives for its lines (the
    audio it makes of each, without playing it): lines that would be cut, the smallest gap
    between a lead-in's words and its hold, and the routine's length with and without a
    voice."""
    if not shutil.which("espeak-ng"):
        print("7. voice plans: skipped, espeak-ng is not installed")
        return
    from reminderd.children import Children
    from reminderd.config import default_config_path, load_config
    from reminderd.durations import format_duration
    from reminderd.exercises import routine_steps, spoken_lines, total_seconds
    from reminderd.speech import words
    from reminderd.speech.espeak import EspeakSpeaker
    from reminderd.speech.timing import Lengths

    config = load_config(default_config_path())
    lengths = Lengths(bench.folder / "lengths.jsonl")
    speaker = EspeakSpeaker("espeak-ng", Children(), lengths)
    measuring = speaker.prepare(spoken_lines(config))
    if measuring is not None:
        measuring.wait(120)
    rows, cut_total, smallest = [], 0, float("inf")
    for routine in config.routines:
        plain = routine_steps(routine, config.exercises, config.guidance)
        steps = routine_steps(routine, config.exercises, config.guidance, timing=speaker.seconds)
        starts = [0.0]
        for step in steps:
            starts.append(starts[-1] + step.seconds)
        spoken = [(i, words(steps, i)) for i in range(len(steps)) if words(steps, i)]
        cut = 0
        for (index, said), following in zip(spoken, [*spoken[1:], None], strict=True):
            if (
                following is not None
                and speaker.seconds(said) > starts[following[0]] - starts[index]
            ):
                cut += 1
        gaps = [
            step.seconds - speaker.seconds(words(steps, i))
            for i, step in enumerate(steps)
            if step.kind == "lead-in"
        ]
        smallest = min([smallest, *gaps])
        cut_total += cut
        voiced = format_duration(round(total_seconds(steps)))
        silent = format_duration(round(total_seconds(plain)))
        gap = f"gap {min(gaps):.1f} s" if gaps else "no holds"
        rows.append(f"{routine.name} {cut} cut, {gap}, {voiced} voiced ({silent} silent)")
    bench.report(
        "7. voice plans (espeak-ng's lengths)",
        "; ".join(rows),
        "0 lines cut, at least 1.0 s between a lead-in's words and its hold",
        cut_total == 0 and smallest >= 1.0,
    )


def with_keys(text: str, table: str, keys: str) -> str:
    """A config's text with ``keys`` in its ``[table]``: under the header when the file has
    one (the default config has every section), else in a new one at the end."""
    header = f"\n[{table}]\n"
    if header in text:
        return text.replace(header, header + keys, 1)
    return text + header + keys


def heard(bench: Bench, quick: bool, docs: bool) -> None:
    """6. The neck routine heard from a headless PipeWire's speakers, with each voice: lines
    cut, the smallest gap before a hold, and how soon the voice begins after a step change
    (at full pace; the quick run at REMINDERD_PACE 0.4, as the tests run it)."""
    address = bench.env.get("DBUS_SESSION_BUS_ADDRESS")
    if not address:
        print("6. heard from the speakers: skipped, no session bus")
        return
    from tests.conftest import Bus
    from tests.hearing import draw, listen, programs
    from tests.pipewire import PipeWire

    pace = 0.4 if quick else 1.0
    voices: dict[str, tuple[str, ...]] = {"espeak-ng": ("espeak-ng", "pw-play")}
    if not quick:
        voices["speech-dispatcher"] = ("speech-dispatcher", "espeak-ng", "pw-play")
    for voice, names in voices.items():
        folder = bench.folder / voice
        folder.mkdir()
        assert bench.bus is not None
        pipewire = PipeWire(folder, Bus(address, bench.bus))
        try:
            pipewire.start()
            if voice == "speech-dispatcher":
                pipewire.start_speech()
            env = {**bench.env, "PATH": programs(folder / "bin", names)}
            result = listen(pipewire, bench.received, env, folder, routine="neck", pace=pace)
        except Exception as error:  # a missing program, a server that did not start
            print(f"6. heard from the speakers ({voice}): skipped, {error}")
            continue
        finally:
            pipewire.stop()
        latency = [seconds * 1000 for seconds in result.latencies()]
        gaps = result.gaps()
        cut = result.cut({}, 0.0)
        p50, p99 = percentile(latency, 0.5), percentile(latency, 0.99)
        bench.report(
            f"6. heard from the speakers ({voice}, pace {pace:g})",
            f"{len(result.lines())} lines of the neck routine, {len(cut)} cut; smallest gap "
            f"between a lead-in's words and its hold {min(gaps):.2f} s (at full pace "
            f"{min(gaps) / pace:.2f} s); the voice begins {p50:.0f} ms after a step change "
            f"(p50), p99 {p99:.0f} ms, of {len(latency)}",
            "0 cut, gap at least 1.0 s at full pace, p99 at most 150 ms",
            not cut and min(gaps) / pace >= 1.0 and p99 <= 150,
        )
        if docs:  # what was heard, line by line, and (espeak-ng) its picture for docs/voice.md
            print("\n".join(f"   {line}" for line in result.transcript({})))
            if voice == "espeak-ng":
                title = (
                    "reminderd run neck --voice (espeak-ng), recorded from a null sink's monitor"
                )
                print(f"   picture: {draw(result, ROOT / 'docs' / 'voice-neck.svg', title)}")


def guidance_idle(bench: Bench, config: Path, rss: float, settle: float, window: float) -> None:
    """The idle daemon with voice and sounds on: nothing is loaded or polled for them."""
    bench.reminderd("stop")
    voiced = bench.folder / "voiced.toml"
    voiced.write_text(with_keys(config.read_text(), "guidance", "voice = true\nsounds = true\n"))
    new_pid = bench.start_daemon(voiced)
    time.sleep(settle)
    new_rss, _ = memory(new_pid)
    before = switches(new_pid)
    time.sleep(window)
    per_minute = (switches(new_pid) - before) * 60 / window
    bench.report(
        "8. idle with voice and sounds on",
        f"RSS {new_rss:.1f} MB (without: {rss:.1f} MB); {per_minute:.2f} context switches "
        f"per minute over {window:g} s",
        "RSS within 0.5 MB, at most 1 wake-up per minute",
        new_rss - rss <= 0.5 and per_minute <= 1,
    )


def panel_idle(bench: Bench, config: Path, rss: float, settle: float, window: float) -> None:
    """The idle daemon with its icon registered with a StatusNotifierWatcher (the test
    watcher, standing in for a panel), after a panel's first read of all its properties."""
    address = bench.env.get("DBUS_SESSION_BUS_ADDRESS")
    if not address:
        print("9. idle with the panel icon: skipped, no session bus")
        return
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    bench.reminderd("stop")
    record = bench.folder / "watcher.jsonl"
    watcher = ROOT / "tests" / "sni_watcher.py"
    bench.spawn([sys.executable, str(watcher), "--address", address, "--record", str(record)])
    bench.wait(lambda: record.exists() and "ready" in record.read_text(), 10)
    pid = bench.start_daemon(config)
    bench.wait(lambda: "RegisterStatusNotifierItem" in record.read_text(), 10)
    service = [
        json.loads(line)["service"]
        for line in record.read_text().splitlines()
        if "RegisterStatusNotifierItem" in line
    ][-1]
    with open_dbus_connection(address) as conn:  # what a panel does when the item appears
        item = DBusAddress(
            "/StatusNotifierItem", bus_name=service, interface="org.freedesktop.DBus.Properties"
        )
        began = time.perf_counter()
        reply = conn.send_and_get_reply(
            new_method_call(item, "GetAll", "s", ("org.kde.StatusNotifierItem",)), timeout=5
        )
        took = (time.perf_counter() - began) * 1000
    shown = reply.body[0]["IconName"][1]
    time.sleep(settle)
    new_rss, _ = memory(pid)
    before = switches(pid)
    time.sleep(window)
    per_minute = (switches(pid) - before) * 60 / window
    bench.report(
        "9. idle with the panel icon shown",
        f"RSS {new_rss:.1f} MB (without a panel: {rss:.1f} MB); {per_minute:.2f} context "
        f"switches per minute over {window:g} s; the first GetAll (icon {shown}, drawn "
        f"pixmaps, tooltip) answered in {took:.0f} ms",
        "RSS within 1 MB, at most 1 wake-up per minute",
        new_rss - rss <= 1.0 and per_minute <= 1,
    )


def panel_flood(bench: Bench, config: Path, calls: int) -> None:
    """The daemon with its icon registered (with figure 9's watcher), and another program on
    the bus that sends ``calls`` GetLayout calls to the panel's menu as fast as it can,
    without waiting for replies; meanwhile `status` is asked over the control socket again
    and again (in this process, so that the figure is the daemon's answer and not a Python
    start-up). The daemon's memory before and after."""
    import threading

    from jeepney import DBusAddress, MessageType, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    from reminderd import control

    address = bench.env.get("DBUS_SESSION_BUS_ADDRESS")
    record = bench.folder / "watcher.jsonl"
    if not address or not record.exists():
        print("17. status during a panel flood: skipped, no session bus")
        return
    bench.reminderd("stop")
    registered = record.read_text().count("RegisterStatusNotifierItem")
    pid = bench.start_daemon(config)
    bench.wait(lambda: record.read_text().count("RegisterStatusNotifierItem") > registered, 10)
    service = f"org.kde.StatusNotifierItem-{pid}-1"
    socket = Path(bench.env["XDG_RUNTIME_DIR"]) / "reminderd" / "control.sock"
    menu = DBusAddress("/MenuBar", bus_name=service, interface="com.canonical.dbusmenu")
    # The menu asked once and answered first, as a panel does when it shows the icon: the
    # panel's code is loaded on its first call, and the figure is what the flood keeps.
    with open_dbus_connection(address) as conn:
        conn.send_and_get_reply(new_method_call(menu, "GetLayout", "iias", (0, -1, [])), timeout=10)
    time.sleep(1)
    before, _ = memory(pid)
    done = threading.Event()
    answered = [0]

    def read(conn: Any) -> None:
        while answered[0] < calls:
            reply = conn.receive(timeout=60)
            if reply.header.message_type != MessageType.signal:
                answered[0] += 1
        done.set()

    latencies: list[float] = []
    with open_dbus_connection(address) as conn:
        reader = threading.Thread(target=read, args=(conn,), daemon=True)
        reader.start()
        began = time.perf_counter()
        for _ in range(calls):
            conn.send(new_method_call(menu, "GetLayout", "iias", (0, -1, [])))
        while not done.is_set():
            asked = time.perf_counter()
            control.request(socket, "status", timeout=10)
            latencies.append((time.perf_counter() - asked) * 1000)
        flood = time.perf_counter() - began
        reader.join(5)
    time.sleep(1)
    after, _ = memory(pid)
    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    bench.report(
        "17. status during a panel flood",
        f"{calls} pipelined GetLayout calls answered in {flood:.1f} s; {len(latencies)} status "
        f"requests meanwhile: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(latencies):.1f} ms; "
        f"RSS {before:.1f} MB before, {after:.1f} MB after",
        "p99 at most 100 ms, RSS within 2 MB",
        p99 <= 100 and after - before <= 2.0,
    )


def sync_idle(bench: Bench, config: Path, rss: float, settle: float, window: float) -> Path:
    """The idle daemon with a sync folder: its writer, reader and inotify watch loaded, the
    watch's descriptor in the selector, and nothing that wakes it."""
    bench.reminderd("stop")
    folder = bench.folder / "Sync" / "reminderd"
    synced = bench.folder / "synced.toml"
    synced.write_text(config.read_text() + f'\n[sync]\nfolder = "{folder}"\nmachine = "bench"\n')
    pid = bench.start_daemon(synced)
    time.sleep(settle)
    new_rss, _ = memory(pid)
    before = switches(pid)
    time.sleep(window)
    per_minute = (switches(pid) - before) * 60 / window
    watching = json.loads(bench.reminderd("status", "--json").stdout)["sync"]["reason"]
    bench.report(
        "10. idle with a sync folder",
        f"RSS {new_rss:.1f} MB (without: {rss:.1f} MB); {per_minute:.2f} context switches per "
        f"minute over {window:g} s; {watching}",
        "RSS within 0.5 MB, 0 wake-ups a minute",
        new_rss - rss <= 0.5 and per_minute < 1,
    )
    return synced


def sync_replan(bench: Bench, synced: Path, runs: int) -> None:
    """From another machine's presence file renamed into the folder (as Syncthing does) to
    the daemon's re-plan, seen as its `sync.done` event on the control socket."""
    from reminderd import control
    from reminderd.state import write_atomic
    from reminderd.sync import formats

    folder = bench.folder / "Sync" / "reminderd"
    socket = Path(bench.env["XDG_RUNTIME_DIR"]) / "reminderd" / "control.sock"
    took = []
    signal.alarm(60)  # a re-plan that never comes must not hang the benchmark
    for run in range(runs):
        stream = cast(Generator[dict[str, Any], None, None], control.stream(socket, "events"))
        next(stream)  # subscribed
        now = datetime.now().astimezone() - timedelta(seconds=runs - run)
        text = formats.dump_presence(formats.Presence("laptop", now, done={"posture": now}))
        began = time.perf_counter()
        write_atomic(folder / "laptop.presence.json", text)
        for message in stream:
            if message.get("event") == "sync.done":
                took.append((time.perf_counter() - began) * 1000)
                break
        stream.close()
    signal.alarm(0)
    bench.report(
        "11. a file arriving to the re-plan",
        f"median {statistics.median(took):.1f} ms, max {max(took):.1f} ms of {runs}",
        "under 1 s",
        max(took) < 1000,
    )


def sync_stats(bench: Bench, config: Path, synced: Path) -> None:
    """`stats` over two machines with a year of history each: this machine's local file
    and the other's twelve months of JSON lines in the folder."""
    from reminderd import history
    from reminderd.clock import local_zone
    from reminderd.config import load_config
    from reminderd.core.simulate import simulate
    from reminderd.sync.writer import Writer

    bench.reminderd("stop")
    zone = local_zone()
    end = datetime.now(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    events = [
        e
        for e in simulate(load_config(config), end - timedelta(days=365), end)
        if e.kind != "routine.step"
    ]
    paths = {
        "bench": Path(bench.env["XDG_DATA_HOME"]) / "reminderd" / "history.sqlite3",
        "laptop": bench.folder / "laptop.sqlite3",
    }
    for shift, path in enumerate(paths.values()):
        path.unlink(missing_ok=True)
        db = history.connect(path)
        rows = []
        for event in events:
            at = event.at + timedelta(minutes=7 * shift)
            outcome = "completed" if event.kind == "routine.completed" else None
            seconds = event.data.get("exercise_seconds") if outcome else None
            rows.append(
                (
                    at.timestamp(),
                    at.astimezone(zone).date().isoformat(),
                    event.kind,
                    event.routine,
                    event.data.get("reason"),
                    seconds,
                    "{}",
                    outcome,
                )
            )
        db.execute("BEGIN")
        db.executemany(history._INSERT, rows)
        db.execute("COMMIT")
        db.close()
    folder = bench.folder / "Sync" / "reminderd"
    laptop = history.History(paths["laptop"], local_zone)
    Writer(folder, "laptop", laptop).start(end, None)
    laptop.close()
    runs = 3
    took = median_ms(
        [sys.executable, "-m", "reminderd", "stats", "--json", "--config", str(synced)],
        bench.env,
        runs,
    )
    shown = json.loads(bench.reminderd("stats", "--json", "--config", str(synced)).stdout)
    floor = median_ms([sys.executable, "-c", "pass"], bench.env, runs)
    bench.report(
        "12. stats over 2 machines x 1 year",
        f"`reminderd stats --json`: median {took:.0f} ms of {runs} (python -c pass {floor:.0f} ms)"
        f" for {len(events)} events a machine; machines {sorted(shown['machines'])}",
        "under 300 ms",
        took < 300,
    )


def pictures(bench: Bench, config: Path, settle: float, window: float) -> None:
    """Every built-in step's picture: PNG sizes, the drawing subprocess's time for all of
    them, and the idle daemon's memory and wake-ups after guiding a routine with pictures
    on, against the same with ``[guidance] pictures = false``."""
    from reminderd.config import load_library
    from reminderd.exercises import expand
    from reminderd.pictures.cache import SIZE
    from reminderd.pictures.draw import picture

    poses = sorted(
        {step.pose for e in load_library().values() for step in expand(e) if step.pose},
        key=lambda pose: pose.key,
    )
    sizes = sorted(len(picture(pose, SIZE)) / 1024 for pose in poses)
    folder = bench.folder / "pictures"
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "reminderd.pictures", "--folder", str(folder)]
        + [pose.key for pose in poses],
        env=bench.env,
        check=True,
    )
    took = time.perf_counter() - began
    bench.report(
        "13. step pictures",
        f"{len(poses)} built-in pictures of {SIZE} px: PNG {sizes[0]:.1f} to {sizes[-1]:.1f} KB "
        f"(median {sizes[len(sizes) // 2]:.1f} KB); all drawn by the subprocess in {took:.2f} s "
        f"({took / len(poses) * 1000:.0f} ms each, its start included)",
        "at most 30 KB each",
        sizes[-1] <= 30,
    )
    idle: dict[bool, tuple[float, float]] = {}
    for on in (False, True):
        bench.reminderd("stop")
        chosen = bench.folder / f"pictures-{on}.toml"
        keys = f'intro = "1s"\nlead_in = "1s"\npictures = {str(on).lower()}\n'
        chosen.write_text(with_keys(config.read_text(), "guidance", keys))
        bench.env["XDG_CACHE_HOME"] = str(bench.folder / f"cache-{on}")
        pid = bench.start_daemon(chosen)
        # A routine's first steps, the pictures drawn meanwhile, then skipped.
        bench.reminderd("run", "neck-range-of-motion")
        drawn = Path(bench.env["XDG_CACHE_HOME"]) / "reminderd" / "pictures"
        time.sleep(3)
        if on:
            bench.wait(lambda: len(list(drawn.glob("*.png"))) >= 9, 30)  # noqa: B023
        bench.reminderd("skip")
        time.sleep(settle)
        rss, _ = memory(pid)
        before = switches(pid)
        time.sleep(window)
        idle[on] = (rss, (switches(pid) - before) * 60 / window)
    (off_rss, _), (on_rss, per_minute) = idle[False], idle[True]
    bench.report(
        "14. idle after a routine with pictures",
        f"RSS {on_rss:.1f} MB (pictures off: {off_rss:.1f} MB); {per_minute:.2f} context "
        f"switches per minute over {window:g} s",
        "RSS within 0.3 MB, no wake-up",
        on_rss - off_rss <= 0.3 and per_minute == 0,
    )


def simulate_month(bench: Bench, config: Path, days: int) -> None:
    sys.path.insert(0, str(ROOT))
    from reminderd.clock import local_zone
    from reminderd.config import load_config
    from reminderd.core.simulate import simulate

    loaded = load_config(config)
    zone = local_zone()
    start = datetime(2026, 11, 2, tzinfo=zone)
    began = time.perf_counter()
    events = simulate(loaded, start, start + timedelta(days=days))
    seconds = time.perf_counter() - began
    fired = sum(1 for event in events if event.kind == "routine.fired")
    steps = sum(1 for event in events if event.kind == "routine.step")
    bench.report(
        f"5. {days} simulated days",
        f"{seconds:.2f} s for {fired} firings and {steps} steps of the default config",
        "under 2 s",
        seconds < 2,
    )


HOLDS_PROBE = """
import json, os, sys, time
import reminderd.daemon  # everything an idle daemon has loaded
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
before = rss()
loaded_before = sorted(m for m in sys.modules if m.startswith("reminderd.holds"))
from reminderd.holds.choose import choose
from reminderd.holds.runner import Runner
runner = Runner(choose().sources)
answers = runner.ask()
after = rss()
print(json.dumps({"before": before, "after": after, "loaded_before": loaded_before,
                  "sources": [a.source for a in answers],
                  "threads": len(os.listdir("/proc/self/task"))}), flush=True)
time.sleep(1e6)
"""


def ended(process: subprocess.Popen[Any]) -> None:
    process.terminate()
    process.wait(5)


class Desktops:
    """The real software the hold sources read, started for the benchmark: a headless
    PipeWire with a recording running (a call), openbox with a full-screen xclock, a
    headless sway with foot, and the inhibitor stand-ins on a private bus."""

    def __init__(self, bench: Bench) -> None:
        self.bench = bench
        self.folder = Path(tempfile.mkdtemp(prefix="rd-hb-", dir="/tmp"))
        self.folder.chmod(0o711)
        self.stops: list[Any] = []
        self.env: dict[str, str] = {"PATH": os.environ["PATH"]}
        self.notes: list[str] = []

    def start(self) -> None:
        import pytest

        from tests.conftest import Bus

        address, process = start_dbus(self.folder)
        self.stops.append(lambda: ended(process))
        bus = Bus(address, process)
        steps: list[tuple[str, Callable[[], None]]] = [
            ("PipeWire", lambda: self._pipewire(bus)),
            ("openbox", self._openbox),
            ("sway", lambda: self._sway(bus)),
            ("inhibitor stand-ins", lambda: self._inhibitors(address)),
        ]
        for name, step in steps:
            try:
                step()
            except (Exception, pytest.skip.Exception) as error:  # the harness skips, as in tests
                self.notes.append(f"{name} not started ({type(error).__name__}: {error})")

    def _pipewire(self, bus: Any) -> None:
        from tests.pipewire import PipeWire

        server = PipeWire(self._sub("pwh"), bus)
        self.stops.append(server.stop)
        server.start()
        recording = server.record(self.folder / "call.wav", target="nul")
        self.stops.insert(0, lambda: server.stop_recording(recording))
        self.env["XDG_RUNTIME_DIR"] = server.env["XDG_RUNTIME_DIR"]

    def _openbox(self) -> None:
        from tests.openbox import openbox_desktop

        context = openbox_desktop()
        desktop = context.__enter__()
        self.stops.append(lambda: context.__exit__(None, None, None))
        desktop.open(["xclock"], "xclock")
        desktop.fullscreen("xclock")
        self.env["DISPLAY"] = desktop.display

    def _sway(self, bus: Any) -> None:
        from tests.sway import Sway

        sway = Sway(self._sub("swh"), bus)
        self.stops.append(sway.stop)
        sway.start()
        sway.client(["foot", "--app-id=film", "sleep", "600"])
        time.sleep(1.5)
        self.env["SWAYSOCK"] = sway.env["SWAYSOCK"]
        self.env["WAYLAND_DISPLAY"] = sway.display

    def _inhibitors(self, address: str) -> None:
        process = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "tests" / "inhibitor_services.py"),
                "--address",
                address,
                "--gnome",
                "--kde",
                "--logind",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        self.stops.append(lambda: ended(process))
        assert process.stdout is not None
        process.stdout.readline()
        self.env["DBUS_SESSION_BUS_ADDRESS"] = address
        self.env["XDG_CURRENT_DESKTOP"] = "GNOME:KDE"  # both inhibitor sources, for the cost

    def _sub(self, name: str) -> Path:
        folder = self.folder / name
        folder.mkdir(mode=0o711)
        return folder

    def stop(self) -> None:
        for stop in reversed(self.stops):
            try:
                stop()
            except Exception as error:  # a benchmark cleans up what it can
                print(f"   (stopping: {error})")
        shutil.rmtree(self.folder, ignore_errors=True)


def holds_check(bench: Bench, runs: int) -> None:
    """One "may I start now?" check with every source this benchmark's desktops offer:
    wall time, and CPU time of the asking process (the daemon's share; pw-dump's own CPU
    is its process's)."""
    from reminderd.bus import Bus as DBus
    from reminderd.holds.choose import choose
    from reminderd.holds.logind import LogindInhibitors
    from reminderd.holds.runner import Runner
    from reminderd.holds.wayland import ForeignToplevel
    from reminderd.holds.x11 import X11Fullscreen

    desktops = Desktops(bench)
    try:
        desktops.start()
        choice = choose(environ=desktops.env)
        sources = list(choice.sources)
        # Every source, as on no one desktop: X11 and the foreign-toplevel list beside
        # sway's tree, and logind's stand-in on the private bus.
        if "DISPLAY" in desktops.env:
            sources.append(X11Fullscreen(desktops.env))
        if "WAYLAND_DISPLAY" in desktops.env:
            sources.append(ForeignToplevel(Path(desktops.env["WAYLAND_DISPLAY"])))
        if "DBUS_SESSION_BUS_ADDRESS" in desktops.env:
            sources.append(LogindInhibitors(DBus(desktops.env["DBUS_SESSION_BUS_ADDRESS"])))
        runner = Runner(sources)
        runner.ask()  # the first check connects to the buses
        walls, cpus = [], []
        per_source: dict[str, list[float]] = {}
        held: set[str] = set()
        for _ in range(runs):
            wall, cpu = time.perf_counter(), time.process_time()
            answers = runner.ask()
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            for answer in answers:
                per_source.setdefault(answer.source, []).append(answer.seconds * 1000)
                held.update(str(h) for h in answer.holds)
                if answer.unknown:
                    held.add(f"{answer.source} cannot answer: {answer.unknown}")
        parts = ", ".join(
            f"{name} {statistics.median(values):.1f}" for name, values in per_source.items()
        )
        walk = camera_walk(desktops.folder, runs)
        bench.report(
            "15. a hold check with every source",
            f"{len(sources)} sources, {runs} checks: wall median "
            f"{statistics.median(walls):.1f} ms, p95 {percentile(walls, 0.95):.1f} ms; CPU in "
            f"the asking process median {statistics.median(cpus):.1f} ms, p95 "
            f"{percentile(cpus, 0.95):.1f} ms; per source median ms: {parts}; seen: "
            f"{'; '.join(sorted(held)) or 'nothing'}"
            + (f"; {'; '.join(desktops.notes)}" if desktops.notes else "")
            + f"; {walk}",
            "under 50 ms wall, under 10 ms CPU",
            statistics.median(walls) < 50 and statistics.median(cpus) < 10,
        )
    finally:
        desktops.stop()


def camera_walk(folder: Path, runs: int) -> str:
    """The V4L2 source's walk of /proc when a camera exists (a stand-in device file: this
    machine has none; without a device the source answers at once)."""
    from reminderd.holds.v4l2 import V4l2Camera

    (folder / "video0").write_bytes(b"")
    source = V4l2Camera(prefix=str(folder / "video"))
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        source.answer(1.0)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    processes = sum(1 for name in os.listdir("/proc") if name.isdigit())
    return (
        f"v4l2 with a camera present (stand-in device), walking {processes} processes: "
        f"wall median {statistics.median(walls):.1f} ms, CPU median "
        f"{statistics.median(cpus):.1f} ms"
    )


def holds_memory(bench: Bench, settle: float, window: float) -> None:
    """The daemon's modules loaded, then the holds package imported and one check run
    (what happens once a routine is due): RSS before and after, and the wake-ups after.
    The package is compiled first, as an install compiles it: compiling source in the
    process (PYTHONDONTWRITEBYTECODE) would cost it about 0.4 MB more."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "reminderd")],
        env={**bench.env, "PYTHONDONTWRITEBYTECODE": ""},
        check=False,
    )
    probe = bench.spawn([sys.executable, "-c", HOLDS_PROBE], stdout=subprocess.PIPE, text=True)
    assert probe.stdout is not None
    seen = json.loads(probe.stdout.readline())
    time.sleep(settle)
    before = switches(probe.pid)
    time.sleep(window)
    per_minute = (switches(probe.pid) - before) * 60 / window
    grew = seen["after"] - seen["before"]
    bench.report(
        "16. the holds package, loaded when a routine is due",
        f"an idle daemon's modules: RSS {seen['before']:.1f} MB, holds modules loaded "
        f"{len(seen['loaded_before'])}; after importing it and one check "
        f"({', '.join(seen['sources'])}): {seen['after']:.1f} MB (+{grew:.2f} MB), "
        f"{seen['threads']} thread(s); {per_minute:.2f} context switches per minute over "
        f"{window:g} s after",
        "nothing loaded while idle; within 0.3 MB once loaded; 0 wake-ups",
        not seen["loaded_before"] and grew <= 0.3 and per_minute <= 1,
    )


def language_idle(bench: Bench, config: Path, rss: float, settle: float, window: float) -> None:
    """The idle daemon started under LANGUAGE=de: its catalogue is read on the first
    sentence it shows, so idle it costs what English does."""
    bench.reminderd("stop")
    new_pid = bench.start_daemon(config, language="de")
    time.sleep(settle)
    new_rss, _ = memory(new_pid)
    before = switches(new_pid)
    time.sleep(window)
    per_minute = (switches(new_pid) - before) * 60 / window
    status = json.loads(bench.reminderd("status", "--json").stdout)
    bench.report(
        "18. idle in German",
        f"RSS {new_rss:.1f} MB (English: {rss:.1f} MB); {per_minute:.2f} context switches "
        f"per minute over {window:g} s; status says language {status.get('language')!r}",
        "RSS within 0.5 MB of English, 0 wake-ups",
        new_rss - rss <= 0.5 and per_minute < 1 and status.get("language") == "de",
    )


def language_status(bench: Bench, runs: int) -> None:
    """`reminderd status` (the human-readable one, every line translated) under
    LANGUAGE=de and LANGUAGE=en, against the same running daemon, runs interleaved."""
    argv = [sys.executable, "-m", "reminderd", "status"]
    english, german = [], []
    for _ in range(max(runs, 10)):
        english.append(median_ms(argv, {**bench.env, "LANGUAGE": "en"}, 1))
        german.append(median_ms(argv, {**bench.env, "LANGUAGE": "de"}, 1))
    en, de = statistics.median(english), statistics.median(german)
    said = subprocess.run(
        argv, env={**bench.env, "LANGUAGE": "de"}, capture_output=True, text=True, check=False
    ).stdout.splitlines()
    bench.report(
        "19. status in German",
        f"median {de:.1f} ms (English: {en:.1f} ms) of {len(german)}, ratio {de / en:.2f}; "
        f"it says {said[0]!r}",
        "within 10% of English",
        de <= en * 1.1,
    )


if __name__ == "__main__":
    sys.exit(main())
