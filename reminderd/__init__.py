"""reminderd: guided neck-exercise and posture reminders, one timed step at a time."""

__version__ = "0.1.0"
