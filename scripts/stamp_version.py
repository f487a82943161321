"""Record the pgraph version that made a docs picture in the PNG's 'Software' text chunk (`make docs`)."""
from __future__ import annotations

import sys
from pathlib import Path


def stamp(path: Path) -> None:
    """Rewrite the PNG with Software = 'pgraph VERSION' (pixels unchanged)."""
    from PIL import Image, PngImagePlugin
    import pgraph
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", f"pgraph {pgraph.__version__}")
    with Image.open(path) as picture:
        picture.load()
        picture.save(path, pnginfo=info)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        stamp(Path(name))
