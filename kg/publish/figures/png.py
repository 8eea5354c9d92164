"""PNG copies of the figures, taken by headless Chromium (the browser the tests use).

Chromium renders the SVG exactly as a reader's browser will, fonts included, and is already
a test dependency; a converter such as CairoSVG would be a second renderer to keep in step.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium() -> str | None:
    """The browser to use: $KG_CHROMIUM, else the first of the usual names on PATH."""
    named = os.environ.get("KG_CHROMIUM")
    if named:
        return shutil.which(named) or (named if Path(named).is_file() else None)
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def screenshot(svg: Path, png: Path, width: int, height: int, scale: float = 1.0) -> bool:
    """Writes ``png`` from ``svg``; False when no browser is installed or it fails."""
    browser = chromium()
    if browser is None:
        return False
    with tempfile.TemporaryDirectory(prefix="kg-chromium-") as profile:
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu",
                   "--disable-background-networking", "--disable-component-update",
                   "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}",
                   f"--force-device-scale-factor={scale}", f"--window-size={width},{height}",
                   f"--screenshot={png.resolve()}", svg.resolve().as_uri()]
        try:
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=120, check=True)
        except (OSError, subprocess.SubprocessError):
            return False
    return png.is_file()
