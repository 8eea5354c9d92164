"""A pool of query worker processes, so that a query over the time limit can be stopped."""

from __future__ import annotations

import multiprocessing
import queue
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection

from kg.serve.worker import worker_main

_CONTEXT = multiprocessing.get_context("spawn")  # no fork of a threaded server


class QueryTimeout(Exception):
    """The query ran past the time limit; its worker was stopped."""


class Busy(Exception):
    """Every worker stayed busy for the whole time limit."""


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
    def __init__(self, database: str, size: int) -> None:
        self.database = database
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._all: set[Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(size):
            self._idle.put(self._start())

    def _start(self) -> Worker:
        parent, child = _CONTEXT.Pipe()
        process = _CONTEXT.Process(target=worker_main, args=(child, self.database),
                                   daemon=True, name="kg-query-worker")
        process.start()
        child.close()
        worker = Worker(process, parent)
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, worker: Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.stop()
        if not self._closed:
            self._idle.put(self._start())

    def run(self, job: dict, timeout_s: float) -> dict:
        """Evaluate ``job`` on a free worker; stop the worker if it runs past ``timeout_s``."""
        try:
            worker = self._idle.get(timeout=timeout_s)
        except queue.Empty:
            raise Busy() from None
        try:
            worker.conn.send(job)
            if not worker.conn.poll(timeout_s):
                threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
                raise QueryTimeout()
            reply = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):  # the worker died (e.g. out of memory)
            threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
            return {"status": 503, "message": "the query worker stopped; try again"}
        self._idle.put(worker)
        return reply

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            worker.stop()
