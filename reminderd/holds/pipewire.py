"""Microphone, camera and screen capture in use, as PipeWire sees it.

A call records the microphone: a client's stream node of class ``Stream/Input/Audio`` in
state running. A camera or a screen cast being watched is a ``Stream/Input/Video`` node in
state running. PipeWire is found where libpipewire finds it (``$PIPEWIRE_REMOTE``, else
``$XDG_RUNTIME_DIR/pipewire-0``) and asked with ``pw-dump`` in a short subprocess: about
15 ms of wall time and under 2 ms of the daemon's CPU (bench/run.py), and nothing of
PipeWire loaded into the daemon. A client of the native protocol would save the fork,
but is a POD encoder and decoder to keep; no small, kept Python binding exists.

A video stream tells what it watches where PipeWire says so: the stream's ``media.role``
("Screen", as browsers set for a shared screen; "Camera"), else the node it is linked
from (a device node, ``device.api`` v4l2 or libcamera, is a camera; a node named by a
screen-cast portal or compositor is a screen). Otherwise it is "camera or screen share",
and holds for either reason.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reminderd.holds._command import Command
from reminderd.holds.port import Hold, HoldUnknown, SourceReason
from reminderd.i18n.said import said

AUDIO = "Stream/Input/Audio"
VIDEO = "Stream/Input/Video"
CAMERA_APIS = ("v4l2", "libcamera")
# Producers of a screen cast's frames: the portals' and compositors' node names.
SCREEN_PRODUCERS = ("xdpw", "xdg-desktop-portal", "gnome-shell", "mutter", "kwin", "screencast")


def socket_path(environ: Mapping[str, str]) -> Path | None:
    """Where PipeWire listens, as libpipewire looks for it; None without a runtime folder."""
    remote = environ.get("PIPEWIRE_REMOTE") or "pipewire-0"
    if remote.startswith("/"):
        return Path(remote)
    runtime = environ.get("XDG_RUNTIME_DIR")
    return Path(runtime, remote) if runtime else None


def dumped_objects(text: str) -> list[Any]:
    """The objects of a ``pw-dump``: one JSON list, then, when objects change while it
    dumps (a stream that starts or ends: a sound, a call), further lists that update them
    by id, ``{"id": N, "info": null}`` for one removed. ValueError if it is not that."""
    decoder = json.JSONDecoder()
    by_id: dict[object, Any] = {}
    position, documents = 0, 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            break
        document, position = decoder.raw_decode(text, position)
        if not isinstance(document, list):
            msg = "not a list of objects"
            raise ValueError(msg)
        documents += 1
        for item in document:
            key = item.get("id") if isinstance(item, dict) else None
            if isinstance(item, dict) and "info" in item and item["info"] is None:
                by_id.pop(key, None)
            elif isinstance(item, dict) and key in by_id and documents > 1:
                by_id[key] = {**by_id[key], **item}
            else:
                by_id[key if key is not None else object()] = item
    if documents == 0:
        msg = "nothing printed"
        raise ValueError(msg)
    return list(by_id.values())


class PipeWireStreams:
    """Running capture streams, from one ``pw-dump``."""

    name = "pipewire"
    reasons: frozenset[SourceReason] = frozenset({"call", "screen-share"})
    spawns = True

    def __init__(
        self, environ: Mapping[str, str] | None = None, command: tuple[str, ...] = ("pw-dump",)
    ) -> None:
        self.environ = dict(os.environ if environ is None else environ)
        self.socket = socket_path(self.environ)
        self._command = Command(self.name, command, self.environ)

    def start(self) -> None:
        if self._present():
            self._command.start()

    def answer(self, timeout: float) -> tuple[Hold, ...]:
        if not self._present():
            where = self.socket or "$XDG_RUNTIME_DIR/pipewire-0 (XDG_RUNTIME_DIR is not set)"
            raise HoldUnknown(said("pipewire: no PipeWire at {socket}", socket=str(where)))
        out = self._command.output(timeout)
        try:
            objects = dumped_objects(out.decode(errors="replace"))
        except ValueError as error:
            msg = said("pipewire: pw-dump printed no JSON ({error})", error=str(error))
            raise HoldUnknown(msg) from None
        return holds_in(objects)

    def _present(self) -> bool:
        return self.socket is not None and self.socket.exists()


def holds_in(objects: list[Any]) -> tuple[Hold, ...]:
    """The holds in a pw-dump (a list of objects); anything malformed is left out."""
    nodes: dict[int, Mapping[str, Any]] = {}
    clients: dict[int, Mapping[str, Any]] = {}
    links: list[tuple[int, int]] = []  # (output node, input node)
    for item in objects:
        if not isinstance(item, dict) or not isinstance(item.get("id"), int):
            continue
        info = item.get("info")
        kind = item.get("type")
        if not isinstance(info, dict) or not isinstance(kind, str):
            continue
        if kind.endswith(":Node"):
            nodes[item["id"]] = info
        elif kind.endswith(":Client"):
            clients[item["id"]] = _props(info)
        elif kind.endswith(":Link"):
            out, into = info.get("output-node-id"), info.get("input-node-id")
            if isinstance(out, int) and isinstance(into, int):
                links.append((out, into))
    found: list[Hold] = []
    for ident, info in nodes.items():
        props = _props(info)
        kind = props.get("media.class")
        if info.get("state") != "running" or kind not in (AUDIO, VIDEO):
            continue
        who = _who(props, clients)
        if kind == AUDIO:
            if props.get("stream.monitor") in (True, "true"):
                continue  # a level meter (pavucontrol's), not a recording
            found.append(Hold("call", who, said("microphone in use"), "pipewire"))
            continue
        producers = [_props(nodes[out]) for out, into in links if into == ident and out in nodes]
        found.extend(_video(props, producers, who))
    return tuple(found)


def _video(props: Mapping[str, Any], producers: list[Mapping[str, Any]], who: str) -> list[Hold]:
    role = str(props.get("media.role", "")).lower()
    if role == "screen" or any(_is_screen(p) for p in producers):
        return [Hold("screen-share", who, said("screen cast"), "pipewire")]
    if role == "camera" or any(p.get("device.api") in CAMERA_APIS for p in producers):
        return [Hold("call", who, said("camera in use"), "pipewire")]
    detail = said("camera or screen share")
    return [Hold("call", who, detail, "pipewire"), Hold("screen-share", who, detail, "pipewire")]


def _is_screen(producer: Mapping[str, Any]) -> bool:
    names = " ".join(
        str(producer.get(key, "")) for key in ("node.name", "application.name", "media.name")
    ).lower()
    return "device.api" not in producer and any(word in names for word in SCREEN_PRODUCERS)


def _props(info: Mapping[str, Any]) -> Mapping[str, Any]:
    props = info.get("props")
    return props if isinstance(props, dict) else {}


def _who(props: Mapping[str, Any], clients: Mapping[int, Mapping[str, Any]]) -> str:
    client = clients.get(props["client.id"]) if isinstance(props.get("client.id"), int) else None
    for value in (
        props.get("application.name"),
        (client or {}).get("application.name"),
        props.get("node.name"),
        (client or {}).get("application.process.binary"),
    ):
        if isinstance(value, str) and value.strip():
            return value.strip()[:80]
    return said("an application")
