"""More machines, one habit: history and presence shared through a folder that a sync
engine (Syncthing, Nextcloud, a network home ...) keeps on each of a person's computers.

reminderd writes no networking of its own. Each machine writes only its own files in the
folder, atomically, so that no sync engine ever sees two writers of one file; it reads the
others' files defensively, since a file may arrive half-synced, as a conflict copy, from a
machine whose clock is wrong, or damaged.

* ``layout``: the folder's file names, and what to make of a name found there.
* ``settings``: ``[sync] folder`` and ``machine``, checked like the rest of the config.
* ``formats``: the presence file and the history lines, written and read with bounds.
* ``writer``: this machine's files (presence rewritten, history exported month by month).
* ``reader``: the other machines' files, skipped with one log line when unusable.
* ``merge``: the rules for clocks that disagree, and what a report changes here.
* ``watch``: inotify on the folder, its file descriptor in the daemon's loop.
* ``link``: the daemon's side: events out to the writer, reports in to the core.
* ``stats``: `stats` and `history` over every machine.

This package is imported only when ``[sync]`` is configured: the daemon without it loads
none of it.
"""
