"""`reminderd` and `python -m reminderd`.

`reminderd status [--json]` is answered without importing the full command line, because
status bars run it every few seconds (see ``statusline``); everything else goes to click.
"""

from __future__ import annotations

import sys


def main() -> None:
    args = sys.argv[1:]
    if args in (["status"], ["status", "--json"]):
        from reminderd.statusline import status  # noqa: PLC0415

        sys.exit(status(as_json=len(args) == 2))
    from reminderd.cli import main as cli_main  # noqa: PLC0415

    cli_main()


if __name__ == "__main__":
    main()
