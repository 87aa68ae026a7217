"""The config's vocabulary: every key each section accepts, in one place, for the readers
that check them, the layering of system files under the user's, and `config init`."""

from __future__ import annotations

TOP_KEYS = (
    "schedule",
    "notifications",
    "guidance",
    "routines",
    "exercises",
    "history_days",
    "hooks",
    "panel",
    "sync",
)
SCHEDULE_KEYS = (
    "working_hours",
    "days",
    "hours",
    "pause_when_idle",
    "natural_break",
    "max_skips_per_day",
    "hold_during",
    "soft_start",
)
ROUTINE_KEYS = ("name", "title", "exercises", "every", "at", "days", "start", "max_skips_per_day")
EXERCISE_KEYS = (
    "id",
    "title",
    "summary",
    "source",
    "sides",
    "sets",
    "reps",
    "hold",
    "rest",
    "rep_label",
    "setup",
    "steps",
)
STEP_KEYS = ("text", "seconds", "detail", "say", "kind", "pose", "image")
GUIDANCE_KEYS = (
    "voice",
    "sounds",
    "intro",
    "lead_in",
    "done",
    "pictures",
    "countdown",
    "language",
)
HOOK_KEYS = ("event", "command", "timeout")
NOTIFICATION_KEYS = ("backend",)
PANEL_KEYS = ("icon",)
SYNC_KEYS = ("folder", "machine")

# By section, as ``[locked]`` names them ("" is the top level).
SECTIONS: dict[str, tuple[str, ...]] = {
    "": TOP_KEYS,
    "schedule": SCHEDULE_KEYS,
    "routines": ROUTINE_KEYS,
    "exercises": EXERCISE_KEYS,
    "steps": STEP_KEYS,
    "guidance": GUIDANCE_KEYS,
    "hooks": HOOK_KEYS,
    "notifications": NOTIFICATION_KEYS,
    "panel": PANEL_KEYS,
    "sync": SYNC_KEYS,
}
