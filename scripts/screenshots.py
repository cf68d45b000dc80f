"""Make the screenshots in docs/screenshots (SVG from Textual, PNG through cairosvg).

    .venv/bin/python scripts/screenshots.py [--size 100x30]

Each screen is reached the way a person would, on the bundled demo data (the same
scenes as the snapshot tests: tests/tui/scenes.py).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.tui import helpers  # noqa: E402
from tests.tui.scenes import SCENES, restore_environment  # noqa: E402

CJK_FONT = "WenQuanYi Micro Hei Mono"
SHOWN = ("welcome", "source", "profiles", "checking", "results", "results-finding", "results-zh", "export",
         "results-high-contrast")


async def shoot(name: str, size: tuple[int, int], out: Path) -> Path:
    scene = next(s for s in SCENES if s.name == name)
    app = scene.make()
    async with app.run_test(size=size) as pilot:
        await scene.run_before(pilot)
        svg = Path(app.save_screenshot(filename=f"{name}.svg", path=str(out)))
        helpers.RELEASE.set()
        await pilot.press("f10")
    restore_environment()
    return svg


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100x30", help="terminal size, WIDTHxHEIGHT")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    import cairosvg

    for name in SHOWN:
        svg = asyncio.run(shoot(name, (width, height), args.out))
        png = svg.with_suffix(".png")
        text = svg.read_text("utf-8")
        # cairo picks one font and does not fall back per character: use a monospace font with
        # Chinese glyphs (Debian/Ubuntu: fonts-wqy-microhei), for 中文 on every screen's footer.
        text = text.replace('"Fira Code"', f'"{CJK_FONT}"').replace("Fira Code, monospace", f"{CJK_FONT}")
        cairosvg.svg2png(bytestring=text.encode("utf-8"), write_to=str(png))
        print(f"{svg.name}, {png.name}")


if __name__ == "__main__":
    main()
