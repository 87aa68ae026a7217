"""``python -m reminderd.pictures [--folder F] [--size N] POSE...``: draw poses (given as
their keys, as reminderd.pictures.pose.Pose.key writes them) into the cache folder.
``--gallery FOLDER`` draws every built-in step for the documentation (docs/pictures/).

The daemon starts this and does not wait for it; it exits 0 when every pose was drawn.
"""

from __future__ import annotations

import argparse
import sys

from reminderd.pictures.cache import GALLERY_SIZE, SIZE, cache_folder
from reminderd.pictures.draw import draw_file
from reminderd.pictures.pose import Pose


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reminderd.pictures")
    parser.add_argument("--folder", default="")
    parser.add_argument("--size", type=int, default=SIZE)
    parser.add_argument("--gallery", help="draw every built-in step into this folder")
    parser.add_argument("poses", nargs="*")
    args = parser.parse_args(argv)
    if args.gallery:
        from reminderd.config import load_library  # noqa: PLC0415
        from reminderd.pictures.draw import gallery  # noqa: PLC0415

        size = GALLERY_SIZE if args.size == SIZE else args.size
        for line in gallery(load_library().values(), args.gallery, size):
            print(line)
        return 0
    if not 16 <= args.size <= 1024:
        parser.error("--size: from 16 to 1024 pixels")
    folder = args.folder or str(cache_folder())
    failed = 0
    for key in args.poses:
        try:
            draw_file(Pose.from_key(key), args.size, folder)
        except (ValueError, OSError) as error:
            print(f"reminderd.pictures: {key}: {error}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
