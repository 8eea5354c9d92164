"""Sealing query workers off the network, and the relay that lets allow-listed SERVICE calls out.

The SERVICE allow-list must hold whatever the SPARQL parser reads in a query, so it does not
rest on a scan of the query text: each worker process moves into a network namespace of its
own (``unshare(CLONE_NEWNET)``) that holds nothing but a loopback interface. There the only
listener is the worker's relay thread on 127.0.0.1:RELAY_PORT; it pipes each connection over
a filesystem Unix socket (paths cross namespaces) to the server process, which reads one HTTP
request and sends it to the upstream endpoint configured for the route (``/0``, ``/1``, ...),
never to an address taken from the request. Allowed SERVICE IRIs are rewritten to
``http://127.0.0.1:RELAY_PORT/<n>`` before evaluation; any other target is unreachable.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import http.client
import os
import socket
import struct
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import h11

CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
#: The relay's port inside each worker's own namespace (the same in every worker).
RELAY_PORT = 8790
_MAX_REQUEST = 1 << 20  # bytes of a SERVICE request the relay accepts
_MAX_RESPONSE = 256 << 20  # bytes of an upstream answer relayed to a worker


class SealError(OSError):
    """This machine cannot give a process a network namespace of its own."""


def relay_url(route: int) -> str:
    return f"http://127.0.0.1:{RELAY_PORT}/{route}"


def seal() -> None:
    """Move this (single-threaded) process into a new, empty network namespace, lo up."""
    libc = ctypes.CDLL(None, use_errno=True)
    flags = CLONE_NEWNET if os.geteuid() == 0 else CLONE_NEWUSER | CLONE_NEWNET
    if libc.unshare(flags) != 0:
        number = ctypes.get_errno()
        raise SealError(number, f"unshare: {os.strerror(number)}")
    if flags & CLONE_NEWUSER:  # be root of the new user namespace, which owns the netns
        uid, gid = os.getuid(), os.getgid()  # still the outer ids until mapped
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
        Path("/proc/self/gid_map").write_text(f"0 {gid} 1")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH14x", b"lo", 0)
        flags_now = struct.unpack("16sH14x", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags_now | IFF_UP))


def can_seal() -> str | None:
    """None if workers can be sealed here, else why not (tried in a short-lived child)."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_probe, args=(child,), daemon=True)
    process.start()
    child.close()
    try:
        answer = parent.recv() if parent.poll(30) else "the probe did not answer"
    except EOFError:
        answer = "the probe stopped"
    process.join(timeout=10)
    return answer


def _probe(conn) -> None:
    try:
        seal()
        with socket.socket() as sock:
            sock.settimeout(2)
            try:
                sock.connect(("192.0.2.1", 80))  # TEST-NET-1: must be unreachable now
                conn.send("a sealed process could still connect out")
                return
            except OSError as error:
                if error.errno not in (errno.ENETUNREACH, errno.EHOSTUNREACH):
                    conn.send(f"unexpected connect outcome in the sealed probe ({error})")
                    return
        conn.send(None)
    except OSError as error:
        conn.send(str(error))


# -- inside the worker ------------------------------------------------------------------------

def start_worker_relay(socket_path: str) -> None:
    """Listen on 127.0.0.1:RELAY_PORT (this namespace only) and pipe each connection out."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", RELAY_PORT))
    listener.listen(16)

    def accept() -> None:
        while True:
            inner, _ = listener.accept()
            threading.Thread(target=_pipe_out, args=(inner, socket_path), daemon=True).start()

    threading.Thread(target=accept, daemon=True, name="kg-relay").start()


def _pipe_out(inner: socket.socket, socket_path: str) -> None:
    try:
        outer = socket.socket(socket.AF_UNIX)
        outer.connect(socket_path)
    except OSError:
        inner.close()
        return
    pumps = [threading.Thread(target=_pump, args=(a, b), daemon=True)
             for a, b in ((inner, outer), (outer, inner))]
    for pump in pumps:
        pump.start()
    for pump in pumps:
        pump.join()
    inner.close()
    outer.close()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while chunk := source.recv(1 << 16):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


# -- in the server process --------------------------------------------------------------------

class Relay:
    """The server side: a Unix socket that forwards route ``/n`` to ``upstreams[n]`` only."""

    def __init__(self, directory: Path, upstreams: tuple[str, ...], timeout_s: float) -> None:
        self.path = str(directory / "relay.sock")
        self.upstreams, self.timeout_s = upstreams, timeout_s
        self._listener = socket.socket(socket.AF_UNIX)
        self._listener.bind(self.path)
        os.chmod(self.path, 0o600)
        self._listener.listen(64)
        threading.Thread(target=self._accept, daemon=True, name="kg-relay-server").start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def close(self) -> None:
        self._listener.close()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(self.timeout_s)
        parser = h11.Connection(h11.SERVER, max_incomplete_event_size=64 << 10)
        try:
            request, body = _read_request(conn, parser)
            status, headers, payload = self._forward(request, body)
        except (OSError, h11.ProtocolError, ValueError) as error:
            status, headers, payload = 502, [], f"relay: {type(error).__name__}".encode()
        try:
            if parser.our_state is h11.SEND_RESPONSE:
                kept = [(k, v) for k, v in headers if k.lower() == "content-type"]
                conn.sendall(parser.send(h11.Response(status_code=status, headers=[
                    ("Content-Length", str(len(payload))), ("Connection", "close"), *kept]))
                    + parser.send(h11.Data(data=payload)) + parser.send(h11.EndOfMessage()))
        except (OSError, h11.ProtocolError):
            pass
        finally:
            conn.close()

    def _forward(self, request: h11.Request, body: bytes
                 ) -> tuple[int, list[tuple[str, str]], bytes]:
        route = request.target.decode("ascii", "replace").partition("?")
        path, query = route[0], route[2]
        try:
            upstream = self.upstreams[int(path.strip("/"))]
        except (ValueError, IndexError):
            return 404, [], b"relay: no such route"
        parts = urlsplit(upstream)
        connection_class = (http.client.HTTPSConnection if parts.scheme == "https"
                            else http.client.HTTPConnection)
        upstream_conn = connection_class(parts.hostname, parts.port, timeout=self.timeout_s)
        keep = {"accept", "content-type", "user-agent"}
        headers = {k.decode(): v.decode("latin-1") for k, v in request.headers
                   if k.decode().lower() in keep}
        target = (parts.path or "/") + ("?" + query if query else "")
        try:
            upstream_conn.request(request.method.decode(), target, body=body or None,
                                  headers=headers)
            response = upstream_conn.getresponse()
            payload = response.read(_MAX_RESPONSE + 1)
            if len(payload) > _MAX_RESPONSE:
                return 502, [], b"relay: the upstream answer is too large"
            return response.status, response.getheaders(), payload
        finally:
            upstream_conn.close()


def _read_request(conn: socket.socket, parser: h11.Connection) -> tuple[h11.Request, bytes]:
    request, body = None, b""
    while True:
        event = parser.next_event()
        if event is h11.NEED_DATA:
            chunk = conn.recv(1 << 16)
            parser.receive_data(chunk)
            continue
        if isinstance(event, h11.Request):
            request = event
        elif isinstance(event, h11.Data):
            body += event.data
            if len(body) > _MAX_REQUEST:
                raise ValueError("request too large")
        elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
            if request is None:
                raise ValueError("no request")
            return request, body


if __name__ == "__main__":  # python -m kg.serve.sandbox: can this machine seal workers?
    print(can_seal() or "workers can be sealed off the network")
    sys.exit(0)
