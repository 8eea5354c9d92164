"""A real Virtuoso (Debian's virtuoso-opensource) on loopback, for tests that need a second engine.

Each instance gets its own database files and a config written into a temporary directory,
listens on free loopback ports, and is stopped (and its files left to pytest's tmp cleanup)
at the end. Dumps are loaded the way the README tells users to: ``ld_dir`` + ``rdf_loader_run``
over the N-Quads dump, whose graphs are the layout ``kg query --endpoint`` reads.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

SERVER = "virtuoso-t"
ISQL = "isql-vt"
#: Where Debian's package keeps the VSP pages and plugins the HTTP server needs.
VSP = Path("/var/lib/virtuoso-opensource-7/vsp")
HOSTING = Path("/usr/lib/x86_64-linux-gnu/virtuoso-opensource-7/hosting")
#: The database a fresh Virtuoso creates has this administrator (changed nowhere: loopback).
USER, PASSWORD = "dba", "dba"

CONFIG = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 5
CheckpointInterval = 60
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 1
DirsAllowed = ., {load}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {vsp}
MaxClientConnections = 5
ServerThreads = 5
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 170
MaxQueryCostEstimationTime = 400

[Plugins]
LoadPath = {hosting}
"""


def missing() -> str | None:
    """Why Virtuoso cannot run here, or None."""
    absent = [name for name in (SERVER, ISQL) if shutil.which(name) is None]
    if absent:
        return (f"Virtuoso is not installed ({', '.join(absent)} not found): "
                "apt-get install virtuoso-opensource")
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Virtuoso:
    """One running server: its SPARQL endpoint, Graph Store endpoint and SQL port."""

    directory: Path
    process: subprocess.Popen
    http_port: int
    sql_port: int

    @property
    def sparql(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def graph_store(self) -> str:
        """The SPARQL 1.1 Graph Store HTTP Protocol endpoint (digest authentication)."""
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud-auth"

    @property
    def load_dir(self) -> Path:
        return self.directory / "load"

    @classmethod
    def start(cls, directory: Path, timeout_s: float = 120) -> Virtuoso:
        db, load = directory / "db", directory / "load"
        db.mkdir(parents=True)
        load.mkdir()
        http_port, sql_port = free_port(), free_port()
        ini = directory / "virtuoso.ini"
        ini.write_text(CONFIG.format(db=db, load=load, sql_port=sql_port, http_port=http_port,
                                     vsp=VSP, hosting=HOSTING), encoding="utf-8")
        log = (directory / "server.log").open("wb")
        process = subprocess.Popen([SERVER, "+foreground", "+configfile", str(ini)],
                                   cwd=db, stdout=log, stderr=subprocess.STDOUT)
        server = cls(directory, process, http_port, sql_port)
        server._wait(timeout_s)
        return server

    def _wait(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Virtuoso exited with {self.process.returncode}: "
                                   f"{(self.directory / 'server.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.sparql + "?query=ASK%7B%7D", timeout=2):
                    return
            except OSError:
                time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"Virtuoso did not answer within {timeout_s} s")

    def isql(self, *statements: str) -> str:
        """Run SQL statements through isql; raise with its output when one fails."""
        script = "".join(f"{s.rstrip(';')};\n" for s in statements)
        done = subprocess.run([ISQL, f"127.0.0.1:{self.sql_port}", USER, PASSWORD,
                               "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF", "ERRORS=STDOUT"],
                              input=script, capture_output=True, text=True, timeout=300)
        if done.returncode != 0 or "*** Error" in done.stdout:
            raise RuntimeError(f"isql failed: {done.stdout}{done.stderr}")
        return done.stdout

    def load_nquads(self, dump: Path) -> None:
        """Bulk-load an N-Quads dump: each quad into the graph it names."""
        target = self.load_dir / dump.name
        shutil.copyfile(dump, target)
        self.isql(f"ld_dir('{self.load_dir}', '{dump.name}', 'urn:kg:no-default-graph')",
                  "rdf_loader_run()", "checkpoint")
        failed = self.isql("SELECT ll_file, ll_error FROM DB.DBA.load_list "
                           "WHERE ll_error IS NOT NULL")
        if str(target) in failed:
            raise RuntimeError(f"Virtuoso did not load {dump.name}: {failed}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)


def required() -> bool:
    """CI sets KG_REQUIRE_VIRTUOSO=1 so that the tests fail, rather than skip, without it."""
    return os.environ.get("KG_REQUIRE_VIRTUOSO", "") not in ("", "0")
