"""Idle time through native libraries (ctypes): X11's screensaver extension, macOS IOKit,
Windows user32. Kept apart from ``idle`` so that a daemon that needs none of them never
loads ctypes for them.
"""

from __future__ import annotations

import ctypes
import os
import sys
from typing import Any

from reminderd.errors import IdleError


class _XScreenSaverInfo(ctypes.Structure):
    _fields_ = [
        ("window", ctypes.c_ulong),
        ("state", ctypes.c_int),
        ("kind", ctypes.c_int),
        ("til_or_since", ctypes.c_ulong),
        ("idle", ctypes.c_ulong),
        ("event_mask", ctypes.c_ulong),
    ]


class X11Idle:
    """The X server's own idle counter, from the MIT-SCREEN-SAVER extension."""

    name = "x11-screensaver"
    finest = 0.0

    def __init__(self, display: str | None = None) -> None:
        self._display_name = display if display is not None else os.environ.get("DISPLAY", "")
        if not self._display_name:
            raise IdleError("x11: DISPLAY is not set")
        self._xlib: Any = _library("X11", "libX11.so.6")
        self._xss: Any = _library("Xss", "libXss.so.1")
        self._xlib.XOpenDisplay.restype = ctypes.c_void_p
        self._xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
        self._xlib.XDefaultRootWindow.restype = ctypes.c_ulong
        self._xlib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        self._xss.XScreenSaverAllocInfo.restype = ctypes.POINTER(_XScreenSaverInfo)
        self._xss.XScreenSaverQueryInfo.argtypes = [
            ctypes.c_void_p,
            ctypes.c_ulong,
            ctypes.POINTER(_XScreenSaverInfo),
        ]
        self._xss.XScreenSaverQueryExtension.argtypes = [
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_int),
        ]
        self._display = self._xlib.XOpenDisplay(self._display_name.encode())
        if not self._display:
            raise IdleError(f"x11: cannot open display {self._display_name}")
        event_base, error_base = ctypes.c_int(), ctypes.c_int()
        if not self._xss.XScreenSaverQueryExtension(
            self._display, ctypes.byref(event_base), ctypes.byref(error_base)
        ):
            raise IdleError("x11: the X server has no MIT-SCREEN-SAVER extension")
        self._info = self._xss.XScreenSaverAllocInfo()
        self._root = self._xlib.XDefaultRootWindow(self._display)

    def idle_seconds(self) -> float:
        if not self._xss.XScreenSaverQueryInfo(self._display, self._root, self._info):
            raise IdleError("x11: XScreenSaverQueryInfo failed")
        return float(self._info.contents.idle) / 1000.0


class MacIdle:
    """``HIDIdleTime`` (nanoseconds) of the IOHIDSystem service."""

    name = "macos-hid"
    finest = 0.0

    def __init__(self) -> None:
        if sys.platform != "darwin":
            raise IdleError("macos: not macOS")
        self._open()

    def _open(self) -> None:  # pragma: no cover - macOS only: IOKit is not on Linux
        self._iokit: Any = ctypes.CDLL("/System/Library/Frameworks/IOKit.framework/IOKit")
        self._cf: Any = ctypes.CDLL(
            "/System/Library/Frameworks/CoreFoundation.framework/CoreFoundation"
        )
        self._iokit.IOServiceMatching.restype = ctypes.c_void_p
        self._iokit.IOServiceGetMatchingService.restype = ctypes.c_uint
        self._iokit.IOServiceGetMatchingService.argtypes = [ctypes.c_uint, ctypes.c_void_p]
        self._iokit.IORegistryEntryCreateCFProperty.restype = ctypes.c_void_p
        self._iokit.IORegistryEntryCreateCFProperty.argtypes = [
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
            ctypes.c_uint,
        ]
        self._cf.CFStringCreateWithCString.restype = ctypes.c_void_p
        self._cf.CFStringCreateWithCString.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.c_uint,
        ]
        self._cf.CFNumberGetValue.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
        self._cf.CFRelease.argtypes = [ctypes.c_void_p]
        self._service: int = self._iokit.IOServiceGetMatchingService(
            0, self._iokit.IOServiceMatching(b"IOHIDSystem")
        )
        if not self._service:
            raise IdleError("macos: no IOHIDSystem service")
        self._key: int = self._cf.CFStringCreateWithCString(
            None, b"HIDIdleTime", 0x08000100
        )  # UTF-8

    def idle_seconds(self) -> float:  # pragma: no cover - macOS only
        number = self._iokit.IORegistryEntryCreateCFProperty(self._service, self._key, None, 0)
        if not number:
            raise IdleError("macos: HIDIdleTime is not available")
        value = ctypes.c_int64()
        try:
            self._cf.CFNumberGetValue(number, 4, ctypes.byref(value))  # kCFNumberSInt64Type
        finally:
            self._cf.CFRelease(number)
        return float(value.value) / 1e9


class _LastInputInfo(ctypes.Structure):
    _fields_ = [("cbSize", ctypes.c_uint), ("dwTime", ctypes.c_uint)]


class WindowsIdle:
    """``GetLastInputInfo``: the tick count of the last input, against ``GetTickCount``."""

    name = "windows-lastinput"
    finest = 0.0

    def __init__(self, user32: Any = None, kernel32: Any = None) -> None:
        if user32 is None:
            if sys.platform != "win32":
                raise IdleError("windows: not Windows")
            user32, kernel32 = _windll()
        self._user32, self._kernel32 = user32, kernel32

    def idle_seconds(self) -> float:
        info = _LastInputInfo(ctypes.sizeof(_LastInputInfo), 0)
        if not self._user32.GetLastInputInfo(ctypes.byref(info)):
            raise IdleError("windows: GetLastInputInfo failed")
        now = int(self._kernel32.GetTickCount()) & 0xFFFFFFFF
        return float((now - info.dwTime) & 0xFFFFFFFF) / 1000.0  # both wrap after 49.7 days


def _windll() -> tuple[Any, Any]:  # pragma: no cover - Windows only
    windll: Any = getattr(ctypes, "windll")  # noqa: B009 - exists on Windows only
    return windll.user32, windll.kernel32


def _library(name: str, soname: str) -> ctypes.CDLL:
    """A shared library by its usual soname, else as ctypes finds it: the search (with the
    compilers and tempfile it runs) is only paid where the usual name is not there."""
    try:
        return ctypes.CDLL(soname)
    except OSError:
        pass
    from ctypes.util import find_library  # noqa: PLC0415 - a library under another name

    found = find_library(name)
    if not found:
        msg = f"x11: lib{name} is not installed"
        raise IdleError(msg)
    return ctypes.CDLL(found)
