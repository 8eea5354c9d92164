"""A pool of query worker processes, so that a query over its limits can be stopped.

Fairness when full: besides its ``size`` workers the pool keeps ``reserve`` more, which
take a job only when every regular worker has been busy for ``patience_s`` or longer, so
that a short query is not held behind long ones that fill every worker. The pool admits at
most ``size + reserve + queue`` jobs at once; the rest of those wait in line (first come,
first served) for at most ``queue_timeout_s``. A job that finds the line full, or waits too
long, is refused at once with :class:`Busy` (the front answers 503 with Retry-After).
"""

from __future__ import annotations

import collections
import multiprocessing
import signal
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection

from kg.errors import StoreError
from kg.serve.worker import MEMORY, worker_main

_CONTEXT = multiprocessing.get_context("spawn")  # no fork of a threaded server


class QueryTimeout(Exception):
    """The query ran past the time limit; its worker was stopped."""


class Busy(Exception):
    """Every worker is busy and the line of waiting queries is full, or moved too slowly."""


@dataclass(eq=False)  # identity, so that workers can sit in a set
class Worker:
    process: multiprocessing.Process
    conn: Connection
    reserve: bool = False

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class WorkerPool:
    def __init__(self, database: str, size: int, *, queue_size: int = 16,
                 queue_timeout_s: float = 10.0, memory_mb: int = 0,
                 relay_socket: str | None = None, reserve: int = 1,
                 patience_s: float = 0.5) -> None:
        self.database, self.memory_mb, self.relay_socket = database, memory_mb, relay_socket
        self.queue_timeout_s, self.patience_s = queue_timeout_s, patience_s
        self._admitted = threading.BoundedSemaphore(size + reserve + queue_size)
        self._cond = threading.Condition()
        self._idle: list[Worker] = []
        self._idle_reserve: list[Worker] = []
        self._busy_since: dict[Worker, float] = {}  # regular workers at work, since when
        self._line: collections.deque[object] = collections.deque()
        self._all: set[Worker] = set()
        self._closed = False
        for index in range(size + reserve):
            self._put_back(self._start(reserve=index >= size))
        #: A started worker that takes the place of a stopped one at once (starting one
        #: takes a second or more on a busy machine, and meanwhile the pool is short).
        self._standby: Worker | None = self._start()

    def _start(self, reserve: bool = False) -> Worker:
        parent, child = _CONTEXT.Pipe()
        process = _CONTEXT.Process(target=worker_main, daemon=True, name="kg-query-worker",
                                   args=(child, self.database, self.relay_socket,
                                         self.memory_mb))
        process.start()
        child.close()
        worker = Worker(process, parent, reserve)
        reply = parent.recv() if parent.poll(60) else {}
        if not reply.get("ready"):
            worker.stop()
            if "error" in reply:  # the store cannot be opened: say why
                raise StoreError(reply["error"])
            raise OSError("a query worker did not start")
        with self._cond:
            self._all.add(worker)
        return worker

    def _put_back(self, worker: Worker) -> None:
        with self._cond:
            self._busy_since.pop(worker, None)
            (self._idle_reserve if worker.reserve else self._idle).append(worker)
            self._cond.notify_all()

    def _replace(self, worker: Worker) -> None:
        with self._cond:
            self._all.discard(worker)
            self._busy_since.pop(worker, None)
            standby, self._standby = self._standby, None
        worker.stop()
        if self._closed:
            return
        if standby is None or not standby.process.is_alive():
            standby = self._start()
        standby.reserve = worker.reserve
        self._put_back(standby)
        fresh = self._start()
        with self._cond:
            if self._standby is None and not self._closed:
                self._standby = fresh
                return
        with self._cond:
            self._all.discard(fresh)
        fresh.stop()

    def _replace_later(self, worker: Worker) -> None:
        threading.Thread(target=self._replace, args=(worker,), daemon=True).start()

    def _take(self) -> Worker:
        """The worker for the job first in line: a regular one, else the reserve once every
        regular worker has been busy for ``patience_s``; Busy after ``queue_timeout_s``."""
        ticket = object()
        deadline = time.monotonic() + self.queue_timeout_s
        with self._cond:
            self._line.append(ticket)
            try:
                while True:
                    now = time.monotonic()
                    if self._line[0] is ticket:
                        if self._idle:
                            worker = self._idle.pop()
                            self._busy_since[worker] = now
                            return worker
                        if self._idle_reserve and all(
                                now - since >= self.patience_s
                                for since in self._busy_since.values()):
                            return self._idle_reserve.pop()
                    if now >= deadline:
                        raise Busy()
                    self._cond.wait(min(deadline - now, self.patience_s / 4))
            finally:
                self._line.remove(ticket)
                self._cond.notify_all()

    def run(self, job: dict, timeout_s: float) -> dict:
        """Evaluate ``job`` on a free worker; stop the worker if it runs past ``timeout_s``."""
        if not self._admitted.acquire(blocking=False):
            raise Busy()
        try:
            return self._run_on(self._take(), job, timeout_s)
        finally:
            self._admitted.release()

    def _run_on(self, worker: Worker, job: dict, timeout_s: float) -> dict:
        try:
            worker.conn.send(job)
            if not worker.conn.poll(timeout_s):
                self._replace_later(worker)
                raise QueryTimeout()
            reply = worker.conn.recv()
        except (EOFError, OSError):  # the worker died: out of memory (an abort), or a crash
            worker.process.join(timeout=5)
            self._replace_later(worker)
            if self.memory_mb and worker.process.exitcode == -signal.SIGABRT:
                return {"status": 503, "message": MEMORY.format(mb=self.memory_mb)
                        + "; it was stopped", "retry_after": 60}
            return {"status": 503, "message": "the query worker stopped while evaluating "
                    "this query; it has been replaced"}
        if reply.pop("stop", False):
            self._replace_later(worker)
        else:
            self._put_back(worker)
        return reply

    def close(self) -> None:
        self._closed = True
        with self._cond:
            workers = list(self._all)
        for worker in workers:
            worker.stop()
