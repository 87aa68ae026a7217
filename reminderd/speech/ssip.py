"""Say one line through speech-dispatcher, over its own protocol (SSIP), and wait for its end.

Run by path with ``python -I -S`` (the standard library only, so that it starts in a few
hundredths of a second), one process per line:

    ssip.py LANGUAGE RATE VOICE_KEY CACHE_FILE TEXT

or once, to list the language tags of the voices the service has (speech-dispatcher
accepts any tag in ``SET LANGUAGE``, known or not):

    ssip.py --voices

Unlike ``spd-say`` it can take its words back: on SIGTERM it cancels its own message (and
no other client's, as ``spd-say --cancel`` would), so a routine that is stopped falls
silent. It speaks at the ``message`` priority, so a line that comes while another is
still being said waits for it instead of cutting it off. It hears speech-dispatcher's
begin- and end-of-speech events, appends the time between them to the lengths file the
guide plans from, and exits when its line has been said: 0 said, 3 cancelled by someone
else, 1 speech-dispatcher could not be reached or refused (the reason on stderr).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

CONNECT_TIMEOUT = 5.0
SPEAK_TIMEOUT = 120.0  # no line of reminderd's is this long: something is stuck


def address() -> str:
    """speech-dispatcher's socket, where libspeechd looks for it."""
    given = os.environ.get("SPEECHD_ADDRESS", "")
    if given.startswith("unix_socket:"):
        return given.split(":", 1)[1]
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    base = runtime or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "speech-dispatcher", "speechd.sock")


def connect(path: str) -> socket.socket:
    """A connection to speech-dispatcher, started as libspeechd starts it if it is not
    running (it ends by itself a while after its last client)."""
    spawned = False
    deadline = time.monotonic() + CONNECT_TIMEOUT
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            return sock
        except OSError:
            sock.close()
            if time.monotonic() > deadline:
                raise
        if not spawned:
            spawned = True
            subprocess.run(
                [
                    "speech-dispatcher",
                    "--spawn",
                    "--communication-method",
                    "unix_socket",
                    "--socket-path",
                    path,
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=CONNECT_TIMEOUT,
                check=False,
            )
        time.sleep(0.05)


class Client:
    """One SSIP connection: commands and their replies, and the events between them."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""
        self.events: list[tuple[str, float]] = []  # ("BEGIN" | "END" | ..., monotonic)

    def send(self, line: str) -> None:
        self.sock.sendall(line.encode() + b"\r\n")

    def reply(self) -> tuple[int, list[str]]:
        """The next reply or event (7xx, then also kept in ``events``): code and lines."""
        lines = []
        while True:
            line = self._line()
            code, more, text = int(line[:3]), line[3:4] == "-", line[4:]
            lines.append(text)
            if not more:
                if 700 <= code < 800:
                    self.events.append((text, time.monotonic()))
                return code, lines

    def command(self, line: str, ok: int) -> list[str]:
        self.send(line)
        code, lines = self.reply()
        while 700 <= code < 800:  # an event of an earlier message came first
            code, lines = self.reply()
        if code != ok:
            said = " ".join(lines)
            msg = f"speech-dispatcher refused {line.split(maxsplit=1)[0]} ({code} {said})"
            raise RuntimeError(msg)
        return lines

    def event(self) -> tuple[str, float]:
        while not self.events:
            self.reply()
        return self.events.pop(0)

    def _line(self) -> str:
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                msg = "speech-dispatcher closed the connection"
                raise ConnectionError(msg)
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")


def ssip_rate(rate: float) -> int:
    """reminderd's pace (1.0 normal) as SSIP's -100..100, by speech-dispatcher's espeak-ng
    module's range (80, 170 and 449 words a minute at -100, 0 and 100)."""
    if rate >= 1:
        value = (rate - 1) * 170 / (449 - 170) * 100
    else:
        value = (rate - 1) * 170 / (170 - 80) * 100
    return max(-100, min(100, round(value)))


def speak(language: str, rate: float, text: str) -> tuple[int, float | None]:
    """Say ``text``; return the exit status and the seconds from its begin to its end."""
    client = Client(connect(address()))
    client.sock.settimeout(SPEAK_TIMEOUT)

    def cancel(_signum: int, _frame: object) -> None:
        try:
            client.send("CANCEL self")
        finally:
            os._exit(0)

    signal.signal(signal.SIGTERM, cancel)
    client.command(f"SET self CLIENT_NAME {os.environ.get('USER', 'user')}:reminderd:main", 208)
    client.command("SET self PRIORITY message", 202)
    client.command(f"SET self LANGUAGE {language}", 201)
    client.command(f"SET self RATE {ssip_rate(rate)}", 203)
    client.command("SET self NOTIFICATION all on", 220)
    client.command("SPEAK", 230)
    body = "\r\n".join(".." if line == "." else line for line in text.splitlines())
    client.command(body + "\r\n.", 225)
    began = None
    while True:
        kind, at = client.event()
        if kind == "BEGIN":
            began = at
        elif kind == "END":
            client.send("QUIT")
            return 0, None if began is None else at - began
        elif kind == "CANCELED":
            return 3, None


def voices() -> list[str]:
    """The language tag of each voice the service has, each once."""
    client = Client(connect(address()))
    client.sock.settimeout(CONNECT_TIMEOUT)
    client.command(f"SET self CLIENT_NAME {os.environ.get('USER', 'user')}:reminderd:voices", 208)
    tags = []
    for line in client.command("LIST SYNTHESIS_VOICES", 249)[:-1]:
        fields = line.split("\t")
        if len(fields) > 1 and fields[1] not in tags:
            tags.append(fields[1])
    client.send("QUIT")
    return tags


def main(argv: list[str]) -> int:
    if argv[1:] == ["--voices"]:
        try:
            print("\n".join(voices()))
        except (OSError, RuntimeError, ValueError) as error:
            print(f"reminderd: speech-dispatcher: {error}", file=sys.stderr)
            return 1
        return 0
    language, rate, voice, cache, text = argv[1:6]
    try:
        status, seconds = speak(language, float(rate), text)
    except (OSError, RuntimeError, ValueError) as error:
        print(f"reminderd: speech-dispatcher: {error}", file=sys.stderr)
        return 1
    if seconds and cache:
        entry = json.dumps({"voice": voice, "text": text, "seconds": round(seconds, 3)})
        try:
            os.makedirs(os.path.dirname(cache), mode=0o700, exist_ok=True)
            fd = os.open(cache, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.write(fd, (entry + "\n").encode())
            os.close(fd)
        except OSError as error:
            print(f"reminderd: cannot note the line's length: {error}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
