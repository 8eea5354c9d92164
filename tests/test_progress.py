"""Progress bars: drawn on a terminal once a step outlasts the delay, never into a pipe.

``kg`` runs as a subprocess with its stderr on a real pseudo-terminal (or a pipe); the delay
is set to zero so the mini project's short steps would draw a bar.
"""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

KG = str(Path(sys.executable).parent / "kg")


def stderr_of(command: list[str], env: dict[str, str], terminal: bool) -> tuple[int, str]:
    if not terminal:
        done = subprocess.run([KG, *command], env=env, capture_output=True, text=True,
                              timeout=120)
        return done.returncode, done.stderr
    controller, terminal_end = pty.openpty()
    # A terminal has a size (a fresh pseudo-terminal has 0 columns, where tqdm draws nothing).
    fcntl.ioctl(terminal_end, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    with subprocess.Popen([KG, *command], env=env, stdout=subprocess.DEVNULL,
                          stderr=terminal_end) as process:
        os.close(terminal_end)
        chunks = []
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal closed: the process has exited
                break
            if not chunk:
                break
            chunks.append(chunk)
        code = process.wait(timeout=120)
    os.close(controller)
    return code, b"".join(chunks).decode(errors="replace")


@pytest.fixture
def env(project: Path, store: Path) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("KG_")},
            "KG_PROJECT": str(project), "KG_STORE": str(store), "KG_PROGRESS_DELAY": "0"}


@pytest.mark.parametrize(("command", "bar"), [
    (["build"], "parsing"),
    (["validate"], "validating"),
    (["export", "-f", "nquads", "-o", "-"], "exporting"),
])
def test_a_terminal_gets_a_progress_bar(env, command: list[str], bar: str) -> None:
    code, stderr = stderr_of(command, env, terminal=True)
    assert code == 0, stderr
    assert bar in stderr
    assert "100%" in stderr or "|" in stderr  # tqdm's bar, not just the word


@pytest.mark.parametrize("command", [["build"], ["validate"], ["export", "-o", "-"]])
def test_a_pipe_gets_no_progress_bar(env, command: list[str]) -> None:
    code, stderr = stderr_of(command, env, terminal=False)
    assert code == 0, stderr
    for word in ("parsing", "validating", "exporting", "\r"):
        assert word not in stderr
