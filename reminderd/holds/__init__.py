"""May a routine start now? The hold sources, the runner that asks them, and the decision.

Nothing here is imported until a routine is due: the idle daemon does not load it (see
bench/run.py). One file per job, as the other ports:

* ``port``: the ``HoldSource`` Protocol and its data (``Hold``, ``Answer``, the reasons);
* one file per source: ``pipewire`` (microphone, camera and screen cast streams),
  ``v4l2`` (a camera opened directly), ``x11`` (EWMH full screen), ``sway`` (sway and i3
  IPC: full screen and idle inhibitors), ``wayland`` (wlroots foreign-toplevel full
  screen), ``gnome``, ``kde`` and ``logind`` (idle inhibitors);
* ``choose``: which sources this desktop offers, and why;
* ``runner``: asks every source within its bound, never raises, logs once;
* ``decide``: the pure decision, fire or hold, given everything the core knows.

docs/holds.md says what each desktop can and cannot tell.
"""
