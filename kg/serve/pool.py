"""A pool of query worker processes, so that a query over its limits can be stopped.

The pool admits at most ``size + queue`` jobs at once: ``size`` running, the rest waiting in
line (first come, first served) for at most ``queue_timeout_s``. A job that finds the line
full, or waits too long, is refused at once with :class:`Busy` (the front answers 503 with
Retry-After) rather than left to wait behind long queries without end.
"""

from __future__ import annotations

import multiprocessing
import queue
import signal
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection

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

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class WorkerPool:
    def __init__(self, database: str, size: int, *, queue_size: int = 16,
                 queue_timeout_s: float = 10.0, memory_mb: int = 0,
                 relay_socket: str | None = None) -> None:
        self.database, self.memory_mb, self.relay_socket = database, memory_mb, relay_socket
        self.queue_timeout_s = queue_timeout_s
        self._admitted = threading.BoundedSemaphore(size + queue_size)
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._all: set[Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(size):
            self._idle.put(self._start())

    def _start(self) -> Worker:
        parent, child = _CONTEXT.Pipe()
        process = _CONTEXT.Process(target=worker_main, daemon=True, name="kg-query-worker",
                                   args=(child, self.database, self.relay_socket,
                                         self.memory_mb))
        process.start()
        child.close()
        worker = Worker(process, parent)
        if not parent.poll(60) or not parent.recv().get("ready"):
            worker.stop()
            raise OSError("a query worker did not start")
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, worker: Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.stop()
        if not self._closed:
            self._idle.put(self._start())

    def _replace_later(self, worker: Worker) -> None:
        threading.Thread(target=self._replace, args=(worker,), daemon=True).start()

    def run(self, job: dict, timeout_s: float) -> dict:
        """Evaluate ``job`` on a free worker; stop the worker if it runs past ``timeout_s``."""
        if not self._admitted.acquire(blocking=False):
            raise Busy()
        try:
            try:
                worker = self._idle.get(timeout=self.queue_timeout_s)
            except queue.Empty:
                raise Busy() from None
            return self._run_on(worker, job, timeout_s)
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
            self._idle.put(worker)
        return reply

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            worker.stop()
