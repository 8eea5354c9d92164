"""Debian's chromium, driven by Selenium, for the tests that look at pages and figures.

Missing chromium skips those tests on a developer's machine; .ci/run sets KG_REQUIRE_BROWSER,
so there they fail instead of being skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM, DRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


def chromium(profile: Path, window: str = "1400,1000", *flags: str, console: bool = False):
    """A headless chromium with its own profile folder; ``console`` keeps its console log
    (``driver.get_log("browser")``)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not CHROMIUM.exists() or not DRIVER.exists():
        reason = ("the browser test needs Debian's chromium and chromium-driver "
                  "(apt-get install chromium chromium-driver; .ci/run installs them)")
        if os.environ.get("KG_REQUIRE_BROWSER"):  # set by .ci/run: never skipped in CI
            pytest.fail(reason)
        pytest.skip(reason)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", f"--window-size={window}",
                 f"--user-data-dir={profile}", *flags):
        options.add_argument(flag)
    if console:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(str(DRIVER)), options=options)
