"""Real redis-server and PostgreSQL for the tests, on free localhost ports.

Both come from Debian packages (scripts/setup.sh installs them). Each server
lives in its own temporary directory and is stopped, and the directory removed,
when the context ends. PostgreSQL refuses to run as root: as root we run it as
the `postgres` system user; as anyone else (a CI runner) as ourselves.
"""
from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_binary() -> str | None:
    return shutil.which("redis-server")


def postgres_bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _wait_for_port(port: int, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout_s}s")


@dataclass
class RedisServer:
    """One redis-server process; `restart()` keeps the port (and, like `--save ""`, loses the data)."""

    port: int
    workdir: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            [redis_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for_port(self.port)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@contextlib.contextmanager
def redis_server():
    workdir = Path(tempfile.mkdtemp(prefix="cookiescan-redis-"))
    server = RedisServer(port=free_port(), workdir=workdir).start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextlib.contextmanager
def postgres_server():
    """A throw-away cluster with trust authentication on 127.0.0.1; yields its base URL (database `postgres`)."""
    bin_dir = postgres_bin_dir()
    root = Path(tempfile.mkdtemp(prefix="cookiescan-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = free_port()
    subprocess.run(_as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                                 "--no-sync", "-E", "UTF8"]),
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"),
                                 "-w", "start"]), check=True, stdout=subprocess.DEVNULL)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(root, ignore_errors=True)


def fresh_database(base_url: str) -> str:
    """A new empty database on the test cluster: each test gets a history of its own."""
    import uuid

    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base_url.rsplit("/", 1)[0] + "/" + name


@dataclass
class Worker:
    """A `cookiescan worker` process (its own process group: a kill takes its browsers with it)."""

    process: subprocess.Popen
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def pool_children(self) -> list[int]:
        """The prefork processes that run the units."""
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True)
        return [int(pid) for pid in out.stdout.split()]

    def stop(self, sig: int = 15) -> None:
        import signal

        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def cookiescan_command() -> list[str]:
    import sys
    return [sys.executable, "-c", "from scanner.cli import main; main()"]


@contextlib.contextmanager
def workers(broker_url: str, count: int, log_dir: Path, unit_timeout_s: int = 120, env: dict | None = None):
    """`count` worker processes on the broker, one unit at a time each; stopped (and their browsers) after."""
    root = Path(__file__).resolve().parents[2]
    started = []
    try:
        for i in range(count):
            log = Path(log_dir) / f"worker-{i}.log"
            proc = subprocess.Popen(
                [*cookiescan_command(), "worker", "--broker", broker_url, "--concurrency", "1",
                 "--unit-timeout", str(unit_timeout_s), "--name", f"w{i}@%h"],
                cwd=root, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
                env={**os.environ, **(env or {})})
            started.append(Worker(process=proc, log=log))
        deadline = time.monotonic() + 60
        while not all("ready" in w.log_text() for w in started):
            if time.monotonic() > deadline:
                raise RuntimeError("workers not ready: " + " | ".join(w.log_text()[-500:] for w in started))
            time.sleep(0.3)
        yield started
    finally:
        for w in started:
            w.stop()
