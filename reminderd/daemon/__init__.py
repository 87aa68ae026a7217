"""The daemon: the Core wired to the outside world and run in one event loop that sleeps
until something is due.

There is no polling: the loop (``loop``) blocks in ``select`` until the Core's next
deadline, a signal, or a client. An idle daemon wakes when a reminder is due, when the
idle source is next to be asked (idle awareness, in working hours) and at most every few
hours besides, never on a tick. One file per job: ``service`` (the wiring, the loop's
turns, status and reload), ``commands`` (the control requests), ``icon`` (the panel icon),
``server_signals`` (what the notification server says), ``holds`` (the hold sources,
chosen when first needed), ``sleep`` (logind announcing a suspend), ``reload`` (reading
the config again), ``memory``, ``logs``, and ``__main__``, the process's entry
(``python -m reminderd.daemon``).
"""

from reminderd.daemon.service import MAX_SLEEP, MAX_WAIT, STATUS_VERSION, Daemon

__all__ = ["MAX_SLEEP", "MAX_WAIT", "STATUS_VERSION", "Daemon"]
