"""Process-tree measurements shared by the benchmarks (Linux /proc only).

- `tree_pss_mb(pid)`: proportional set size of a process and all its descendants, in MB
  (PSS shares pages between Chromium's processes fairly, so the sum is what the tree costs).
- `PeakSampler`: samples that sum in a thread and keeps the peak, per label.
- `run_measured(cmd)`: one whole process: wall seconds, CPU seconds (user + system of the
  process and every descendant it reaped) and, with `memory=True`, the peak PSS of its tree.
  Sampling PSS reads every process's page tables five times a second: it slows a process that
  needs the CPU (a scan on 2 cores: about 0.5 s in 4.5) and not one that mostly waits (the
  peer), so wall-time figures come from runs without it.
- `machine()`: one line naming the machine, for every printed figure.
- `fixture_web()`: the fixture web in a process of its own, for benchmarks of whole processes.
"""
from __future__ import annotations

import os
import platform
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> list[int]:
    tree, out, todo = _children(), [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += tree.get(p, [])
    return out


def pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def tree_pss_mb(pid: int, *, names: tuple[str, ...] = ()) -> float:
    """PSS of the tree in MB; with `names`, only processes whose name starts with one of them."""
    pids = descendants(pid)
    return sum(pss_kb(p) for p in pids if not names or _comm(p).startswith(names)) / 1024


class PeakSampler:
    """Peak PSS of a process tree while it runs, kept per label (e.g. the phase under way)."""

    def __init__(self, pid: int, interval_s: float = 0.2, *, names: tuple[str, ...] = ()):
        self.pid, self.interval_s, self.names = pid, interval_s, names
        self.label = ""
        self.peaks: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            value = tree_pss_mb(self.pid, names=self.names)
            label = self.label
            self.peaks[label] = max(self.peaks.get(label, 0.0), value)
            self._stop.wait(self.interval_s)

    def __enter__(self) -> "PeakSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak(self) -> float:
        return max(self.peaks.values(), default=0.0)


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float
    peak_pss_mb: float | None  # None: not sampled (a run for time)
    returncode: int


def run_measured(cmd: list[str], *, env: dict[str, str] | None = None, cwd: str | None = None,
                 memory: bool = True) -> Run:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # stderr is drained by a thread so a chatty process never blocks on a full pipe.
    drained: list[bytes] = []
    reader = threading.Thread(target=lambda: drained.append(proc.stderr.read()), daemon=True)
    reader.start()
    sampler = PeakSampler(proc.pid) if memory else None
    if sampler:
        sampler.__enter__()
    try:
        _, status, usage = os.wait4(proc.pid, 0)  # rusage of the child and every descendant it reaped
    finally:
        if sampler:
            sampler.__exit__(None, None, None)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    reader.join(timeout=5)
    if proc.returncode not in (0, 1):  # 1: findings at or above --fail-on (cookiescan), grade below (peer)
        tail = (drained[0] if drained else b"").decode(errors="replace").strip().splitlines()[-3:]
        print(f"  ! {' '.join(cmd[:3])}... exited {proc.returncode}: {' | '.join(tail)}")
    return Run(wall, usage.ru_utime + usage.ru_stime, sampler.peak if sampler else None, proc.returncode)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "?")
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal:"))
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"{now}; {os.cpu_count()} cores, {cpu}, {mem_kb / 1024 / 1024:.0f} GB RAM, "
            f"{platform.system()} {platform.release()}; load average {load}")


@contextmanager
def fixture_web() -> Iterator[str]:
    """The fixture web in a process of its own; yields its host resolver rules. In the benchmark's
    process its threads would share the interpreter lock with the samplers, and answer late
    whenever they sample: the scanner that makes more requests would pay more for it."""
    code = ("import sys; from scanner.demo.fixtureweb import FixtureWeb\n"
            "with FixtureWeb() as web:\n    print(web.resolver_rules, flush=True); sys.stdin.read()")
    root = Path(__file__).resolve().parents[1]
    server = subprocess.Popen([sys.executable, "-c", code], cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        yield server.stdout.readline().strip()
    finally:
        server.stdin.close()
        server.wait(timeout=30)
