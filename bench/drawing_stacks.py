"""How reminderd's step pictures could be drawn, measured side by side: reminderd's own
plain-Python rasteriser (what it uses), SVG written by hand and rasterised by librsvg's
rsvg-convert, and Pillow (ImageDraw at four times the size, scaled down). Each draws the
same shapes (reminderd.pictures.figure) for every built-in step.

    python bench/drawing_stacks.py [--out FOLDER]

For each stack: what it adds to an install, the time to draw every built-in picture at
128 pixels, the PNG sizes, and how far its pixels are from librsvg's (a mature vector
renderer, taken as the reference for crisp, correct edges) at 64 and 200 pixels. With
--out it also writes each stack's pictures on a light and a dark background, to look at.
Pillow is measured only where it is importable (it is not a dependency of reminderd).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reminderd.config import load_library  # noqa: E402 - the root is on the path only now
from reminderd.exercises import expand  # noqa: E402
from reminderd.pictures.figure import paints  # noqa: E402
from reminderd.pictures.pose import Pose  # noqa: E402
from reminderd.pictures.raster import (  # noqa: E402
    Box,
    Disc,
    Ellipse,
    Paint,
    Polygon,
    Shape,
    Stroke,
    draw,
    png,
    read_png,
)

Draw = Callable[[list[Paint], int], bytes]  # shapes, size -> PNG


def own(shapes: list[Paint], size: int) -> bytes:
    return png(size, size, draw(shapes, size).rgba())


# -- SVG written by hand, rasterised by rsvg-convert -----------------------------------------


def _svg_shape(shape: Shape, fill: str, grow: float = 0.0) -> list[str]:
    """SVG elements for a shape grown by ``grow`` (a stroke of the fill's colour)."""
    width = f"{2 * grow:.4f}"
    edge = f' stroke="{fill}" stroke-width="{width}" stroke-linejoin="round"' if grow else ""
    if isinstance(shape, Disc):
        return [
            f'<circle cx="{shape.x:.4f}" cy="{shape.y:.4f}" r="{shape.r + grow:.4f}" '
            f'fill="{fill}"/>'
        ]
    if isinstance(shape, Ellipse):
        return [
            f'<ellipse cx="{shape.x:.4f}" cy="{shape.y:.4f}" rx="{shape.rx + grow:.4f}" '
            f'ry="{shape.ry + grow:.4f}" fill="{fill}"/>'
        ]
    if isinstance(shape, Stroke):
        points = " ".join(f"{x:.4f},{y:.4f}" for x, y in shape.points)
        return [
            f'<polyline points="{points}" fill="none" stroke="{fill}" '
            f'stroke-width="{2 * (shape.r + grow):.4f}" stroke-linecap="round" '
            'stroke-linejoin="round"/>'
        ]
    if isinstance(shape, Polygon):
        points = " ".join(f"{x:.4f},{y:.4f}" for x, y in shape.points)
        return [f'<polygon points="{points}" fill="{fill}"{edge}/>']
    if isinstance(shape, Box):
        w, h = shape.x1 - shape.x0, shape.y1 - shape.y0
        return [
            f'<rect x="{shape.x0 - grow:.4f}" y="{shape.y0 - grow:.4f}" width="{w + 2 * grow:.4f}" '
            f'height="{h + 2 * grow:.4f}" rx="{shape.r + grow:.4f}" fill="{fill}"/>'
        ]
    return [
        element for part in shape.shapes for element in _svg_shape(part, fill, grow + shape.grow)
    ]


def svg(shapes: list[Paint]) -> str:
    body = []
    for paint in shapes:
        fill = "#{:02x}{:02x}{:02x}".format(*paint.colour)
        group = "".join(_svg_shape(paint.shape, fill))
        body.append(f'<g opacity="{paint.opacity}">{group}</g>' if paint.opacity < 1 else group)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1" viewBox="0 0 1 1">'
        + "".join(body)
        + "</svg>"
    )


def rsvg(shapes: list[Paint], size: int) -> bytes:
    return subprocess.run(
        ["rsvg-convert", "-w", str(size), "-h", str(size)],
        input=svg(shapes).encode(),
        capture_output=True,
        check=True,
    ).stdout


# -- Pillow --------------------------------------------------------------------------------


def pillow(shapes: list[Paint], size: int) -> bytes:
    import io

    from PIL import Image, ImageDraw

    scale = 4
    big = size * scale
    picture = Image.new("RGBA", (big, big), (0, 0, 0, 0))

    def put(shape: Shape, pen: ImageDraw.ImageDraw, fill: tuple[int, ...], grow: float = 0) -> None:
        s = big
        if isinstance(shape, Disc | Ellipse):
            rx, ry = (shape.r, shape.r) if isinstance(shape, Disc) else (shape.rx, shape.ry)
            box = ((shape.x - rx - grow) * s, (shape.y - ry - grow) * s)
            pen.ellipse((*box, (shape.x + rx + grow) * s, (shape.y + ry + grow) * s), fill=fill)
        elif isinstance(shape, Stroke):
            r = (shape.r + grow) * s
            points = [(x * s, y * s) for x, y in shape.points]
            if len(points) > 1:
                pen.line(points, fill=fill, width=round(2 * r), joint="curve")
            for x, y in (points[0], points[-1]):
                pen.ellipse((x - r, y - r, x + r, y + r), fill=fill)
        elif isinstance(shape, Polygon):
            points = [(x * s, y * s) for x, y in shape.points]
            pen.polygon(points, fill=fill)
            if grow:
                pen.line([*points, points[0]], fill=fill, width=round(2 * grow * s), joint="curve")
        elif isinstance(shape, Box):
            pen.rounded_rectangle(
                (
                    (shape.x0 - grow) * s,
                    (shape.y0 - grow) * s,
                    (shape.x1 + grow) * s,
                    (shape.y1 + grow) * s,
                ),
                radius=(shape.r + grow) * s,
                fill=fill,
            )
        else:
            for part in shape.shapes:
                put(part, pen, fill, grow + shape.grow)

    for paint in shapes:
        layer = Image.new("RGBA", (big, big), (0, 0, 0, 0))
        put(paint.shape, ImageDraw.Draw(layer), (*paint.colour, round(255 * paint.opacity)))
        picture.alpha_composite(layer)
    out = io.BytesIO()
    picture.resize((size, size), Image.Resampling.LANCZOS).save(out, "PNG", optimize=True)
    return out.getvalue()


# -- measuring ------------------------------------------------------------------------------


def distance(a: bytes, b: bytes) -> float:
    """Mean difference of two pictures' pixels over the card (0 to 255)."""
    _, _, x = read_png(a)
    _, _, y = read_png(b)
    total = sum(abs(i - j) for i, j in zip(x, y, strict=True))
    return total / len(x)


def site_packages_mb(module: str) -> float:
    """What a module's distribution occupies on disk, its bundled libraries included."""
    imported = __import__(module)
    folder = Path(imported.__file__ or "").parent
    total = sum(f.stat().st_size for f in folder.parent.glob(f"{folder.name}*/**/*") if f.is_file())
    libs = folder.parent / f"{module.lower()}.libs"
    for name in ("pillow.libs",):
        libs = folder.parent / name
        if libs.is_dir():
            total += sum(f.stat().st_size for f in libs.rglob("*") if f.is_file())
    return total / 1e6


def dpkg_mb(package: str) -> float | None:
    found = subprocess.run(
        ["dpkg-query", "-W", "-f=${Installed-Size}", package],
        capture_output=True,
        text=True,
        check=False,
    )
    return int(found.stdout) / 1000 if found.returncode == 0 and found.stdout else None


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, help="write the pictures here, to look at")
    out = parser.parse_args().out
    poses: list[Pose] = sorted(
        {step.pose for e in load_library().values() for step in expand(e) if step.pose},
        key=lambda pose: pose.key,
    )
    stacks: dict[str, tuple[Draw, str]] = {
        "reminderd (plain Python)": (own, "0 MB: part of reminderd")
    }
    if shutil.which("rsvg-convert"):
        rsvg_bin, librsvg = dpkg_mb("librsvg2-bin"), dpkg_mb("librsvg2-2")
        stacks["SVG + rsvg-convert"] = (
            rsvg,
            f"0 MB of Python; Debian librsvg2-bin {rsvg_bin} MB (+ librsvg2-2 {librsvg} MB), "
            "a system package pip cannot bring",
        )
    try:
        import PIL

        stacks["Pillow (4x, scaled down)"] = (
            pillow,
            f"Pillow {PIL.__version__}: {site_packages_mb('PIL'):.1f} MB in site-packages",
        )
    except ImportError:
        print("Pillow: not importable here, not measured")
    print(f"{len(poses)} built-in pictures")
    for name, (drawer, install) in stacks.items():
        began = time.perf_counter()
        sizes = [len(drawer(paints(pose), 128)) / 1024 for pose in poses]
        took = time.perf_counter() - began
        far = []
        if "SVG + rsvg-convert" in stacks:
            for size in (64, 200):
                far.append(
                    sum(distance(drawer(paints(p), size), rsvg(paints(p), size)) for p in poses)
                    / len(poses)
                )
        away = (
            f"; mean pixel difference from librsvg at 64/200 px: {far[0]:.2f}/{far[1]:.2f} of 255"
            if far
            else ""
        )
        print(
            f"{name}: install {install}; all at 128 px in {took:.2f} s "
            f"({took / len(poses) * 1000:.0f} ms each); "
            f"PNG {min(sizes):.1f} to {max(sizes):.1f} KB{away}"
        )
        if out:
            folder = out / name.split()[0].lower()
            folder.mkdir(parents=True, exist_ok=True)
            for size in (64, 200):
                for pose in poses:
                    (folder / f"{size}-{pose.key}.png").write_bytes(drawer(paints(pose), size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
