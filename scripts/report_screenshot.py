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
    from stamp_version import stamp  # scripts/ is on the path when run as a script
    stamp(target)


if __name__ == "__main__":
    main(*sys.argv[1:])
