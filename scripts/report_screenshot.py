"""Regenerate docs/report-top.png: the top of the jungle report as headless Chromium shows it."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(report: str = "out/report.html") -> None:
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto((ROOT / report).resolve().as_uri())
        target = ROOT / "docs" / "report-top.png"
        page.screenshot(path=str(target))
        browser.close()
    _stamp(target)


def _stamp(path: Path) -> None:
    """Record the pgraph version that made the picture in the PNG's 'Software' text chunk."""
    from PIL import Image, PngImagePlugin
    import pgraph
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", f"pgraph {pgraph.__version__}")
    with Image.open(path) as picture:
        picture.load()
        picture.save(path, pnginfo=info)


if __name__ == "__main__":
    main(*sys.argv[1:])
