"""The HTTP front of `kg serve`: uvicorn on h11, with every wait bounded.

uvicorn and h11 get HTTP/1.1 framing right (a negative or doubled Content-Length, a
malformed request line: 400 and close), bound the size of a request head
(``h11_max_incomplete_event_size``), the keep-alive idle time and the number of connections
served at once (``limit_concurrency``: past it, 503). uvicorn gives a new connection no time
limit for its request head, so :class:`Protocol` adds one: a connection whose head is not
complete ``header_timeout_s`` after it opened (or after its previous answer) is closed. The
body time limit is the app's (``App.read_body``).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

#: uvicorn's own messages (a malformed request, the connection limit) as one line each.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "kg serve: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain",
                            "stream": "ext://sys.stderr"}},
    "loggers": {"uvicorn": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
                "uvicorn.error": {"level": "WARNING"},
                "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
                "asyncio": {"handlers": ["stderr"], "level": "CRITICAL", "propagate": False}},
}


#: How long a refused connection is read from before it is closed (see send_400_response).
LINGER_S = 2.0


def protocol(header_timeout_s: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol with a time limit on each request head."""

    class Protocol(H11Protocol):
        _head_timer: asyncio.TimerHandle | None = None
        _timed_cycle: object = None

        def connection_made(self, transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        _lingering = False

        def data_received(self, data: bytes) -> None:
            if self._lingering:
                return  # the rest of a refused request, read so it cannot reset the answer
            super().data_received(data)
            self._check_head()

        def send_400_response(self, msg: str) -> None:
            """uvicorn's 400 for a malformed request, then a lingering close: closing at once
            with the client's body still unread makes the kernel send a reset, which can
            reach the client before it reads the 400. The answer is sent and the write side
            shut; what still arrives is read and dropped until the client closes, or for
            LINGER_S at most."""
            transport = self.transport
            close, transport.close = transport.close, lambda: None
            try:
                super().send_400_response(msg)
            finally:
                transport.close = close
            self._lingering = True
            if transport.can_write_eof():
                transport.write_eof()
            self.loop.call_later(LINGER_S, transport.close)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()
                self._check_head()  # a pipelined request may have started already

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._timed_cycle = self.cycle
            self._head_timer = self.loop.call_later(header_timeout_s, self._head_too_slow)

        def _disarm(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _check_head(self) -> None:
            if self._head_timer is not None and self.cycle is not self._timed_cycle:
                self._disarm()  # a new request's head is complete

        def _head_too_slow(self) -> None:
            self._head_timer = None
            if self.cycle is self._timed_cycle and not self.transport.is_closing():
                self.transport.close()

    return Protocol


class Server(uvicorn.Server):
    """uvicorn's server, stopping on SIGINT or SIGTERM without re-raising them afterwards

    (uvicorn re-raises the signal when it is done, which would end the process before the
    query workers are stopped).
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        handled = (signal.SIGINT, signal.SIGTERM)
        original = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)
