"""The SPARQL editor's assets (YASGUI), taken from what the installed `oxigraph` server serves.

No third-party JavaScript is copied into this repository: the `oxigraph` package (a
dependency) embeds YASGUI and serves it at /yasgui.min.js. `kg serve` starts that server once,
briefly, on a loopback port, fetches the files and caches them beside the store.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

FILES = {"yasgui.min.js": "application/javascript", "yasgui.min.css": "text/css",
         "logo.svg": "image/svg+xml"}


def oxigraph_binary() -> str | None:
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


def load_assets(database: Path, cache: Path) -> dict[str, bytes]:
    """The editor's files, fetched once from `oxigraph serve-read-only` and then cached."""
    binary = oxigraph_binary()
    if binary is None:
        return {}
    version = subprocess.run([binary, "--version"], capture_output=True, text=True,
                             timeout=30).stdout.strip().replace(" ", "-") or "unknown"
    folder = cache / version
    if all((folder / name).is_file() for name in FILES):
        return {name: (folder / name).read_bytes() for name in FILES}
    process, port = serve_read_only(database)
    try:
        files = {}
        for name in FILES:
            files[name] = _fetch(f"http://127.0.0.1:{port}/{name}", process)
    finally:
        process.kill()
        process.wait(timeout=10)
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return files


def serve_read_only(database: Path) -> tuple[subprocess.Popen, int]:
    """Start `oxigraph serve-read-only` on ``database`` at a free loopback port.

    For the editor's assets here, and for the Wikidata stand-in and the benchmarks.
    """
    binary = oxigraph_binary()
    if binary is None:
        raise OSError("the oxigraph server binary is missing (it comes with pip install oxigraph)")
    port = _free_port()
    process = subprocess.Popen([binary, "serve-read-only", "--location", str(database),
                                "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, port


def _fetch(url: str, process: subprocess.Popen, attempts: int = 100) -> bytes:
    for _ in range(attempts):
        if process.poll() is not None:
            raise OSError("the oxigraph server stopped before serving its assets")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except OSError:
            time.sleep(0.05)
    raise OSError(f"could not fetch {url}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
