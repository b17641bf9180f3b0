"""Where one scan's time goes: the steps of `cookiescan scan URL --pages 1`, phase by phase.

    .venv/bin/python benchmarks/timeline.py [--site www.mybakup.com] [--runs 3]

Runs the CLI's own `scan` command in this process against the SYNTHETIC fixture web, with the
engine's steps wrapped to print when each began and ended, counted from the process start:
Python's imports, Playwright's driver, Chromium's launch, and in each phase the new page,
the load, the settle, the consent step and the revisit, then the scan file, the judge and the
history row. Then the CPU of each kind of process of a whole `cookiescan scan` process tree
(median of --runs), which says what a step's wall time is made of on a busy machine.
Figures are of the fixture web on this machine, never of the real site.
"""
from __future__ import annotations

import argparse
import functools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def since_start() -> float:
    """Seconds since this process started (its start time in /proc, not the first import)."""
    ticks = os.sysconf("SC_CLK_TCK")
    started = int(Path(f"/proc/{os.getpid()}/stat").read_text().rsplit(")", 1)[1].split()[19]) / ticks
    return float(Path("/proc/uptime").read_text().split()[0]) - started


def timeline(site: str) -> None:
    from procstats import fixture_web

    up = since_start()
    from greenlet import getcurrent
    from playwright.sync_api import _generated as api
    from playwright.sync_api._context_manager import PlaywrightContextManager

    import scanner.commands.scan as scan_command
    from scanner.cli import build_app
    from scanner.collect import collectors, engine, visitor
    from scanner.collect.consent import driver

    imported = since_start()
    phase_of: dict[int, str] = {}
    rows: list[tuple[float, float, str, str]] = []

    def wrap(owner, name: str, label: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args, **kwargs):
            began = since_start()
            try:
                return original(*args, **kwargs)
            finally:
                rows.append((began, since_start(), phase_of.get(id(getcurrent()), "-"), label))
        setattr(owner, name, timed)

    run_phase = engine.run_phase

    def named_run_phase(pw, job, *args, **kwargs):
        phase_of[id(getcurrent())] = job.phase
        return run_phase(pw, job, *args, **kwargs)

    engine.run_phase = named_run_phase
    steps = (  # (owner, method, label): each call is one row of the timeline
        (PlaywrightContextManager, "__enter__", "Playwright driver starts"),
        (api.BrowserType, "launch_persistent_context", "Chromium launched"),
        (api.Browser, "new_context", "new context"),
        (driver.ConsentDriver, "__init__", "consent rules loaded"),
        (driver.ConsentDriver, "install", "autoconsent installed"),
        (collectors.Collectors, "install", "collectors installed"),
        (api.BrowserContext, "new_page", "new page"),
        (api.Page, "goto", "load (goto)"),
        (visitor.Visitor, "settle", "network idle (settle)"),
        (visitor.Visitor, "dwell", "load-time timers (dwell)"),
        (collectors.Collectors, "after_page", "collectors after the page"),
        (driver.ConsentDriver, "detect", "consent: detect"),
        (driver.ConsentDriver, "apply", "consent: apply"),
        (api.BrowserContext, "close", "context closed"),
        (engine, "save_scan", "scan.json written"),
        (scan_command, "_record", "judged, history row, reports"),
    )
    for owner, name, label in steps:
        wrap(owner, name, label)
    with fixture_web() as rules, tempfile.TemporaryDirectory(prefix="cookiescan-timeline-") as tmp:
        app = build_app()
        began = since_start()
        try:
            app(["scan", f"https://{site}/", "--pages", "1", "--out", tmp, "--db", f"{tmp}/h.db", "--quiet",
                 "--host-resolver-rules", rules, "--ignore-https-errors"], standalone_mode=False)
        finally:
            ended = since_start()
    print(f"{up:6.2f} s  Python up, arguments read")
    print(f"{imported:6.2f} s  CLI, engine and Playwright imported")
    print(f"{began:6.2f} s  the scan command starts (the fixture web started meanwhile)")
    print(f"{'began':>8} {'ended':>6} {'took':>5}  {'phase':15} step")
    for start, end, phase, label in sorted(r for r in rows if r[3]):
        print(f"{start:7.2f}s {end:5.2f}s {end - start:5.2f}  {phase:15} {label}")
    print(f"{ended:6.2f} s  the scan command returns")


def cpu_by_process(site: str, runs: int) -> None:
    """CPU seconds of each kind of process in a whole `cookiescan scan` tree, sampled every 0.1 s."""
    from peers import cookiescan_cmd
    from procstats import fixture_web

    totals: dict[str, list[float]] = defaultdict(list)
    with fixture_web() as rules, tempfile.TemporaryDirectory(prefix="cookiescan-timeline-") as tmp:
        for i in range(runs):
            out = Path(tmp) / str(i)
            out.mkdir()
            cmd = cookiescan_cmd(f"https://{site}/", rules, out, ["--quiet"])
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            last: dict[int, tuple[str, float]] = {}
            sampler = threading.Thread(target=_sample, args=(proc, last))
            sampler.start()
            proc.wait()
            sampler.join()
            per_kind: dict[str, float] = defaultdict(float)
            for kind, cpu in last.values():
                per_kind[kind] += cpu
            for kind in set(per_kind) | set(totals):
                totals[kind].append(per_kind.get(kind, 0.0))
    print(f"CPU by process, median of {runs} whole `cookiescan scan` processes:")
    for kind, values in sorted(totals.items(), key=lambda kv: -statistics.median(kv[1])):
        print(f"  {statistics.median(values):5.2f} s  {kind}")
    print(f"  {statistics.median([sum(v[i] for v in totals.values()) for i in range(runs)]):5.2f} s  in all")


def _sample(proc, last: dict[int, tuple[str, float]]) -> None:
    from procstats import descendants

    ticks = os.sysconf("SC_CLK_TCK")
    while proc.poll() is None:
        for pid in descendants(proc.pid):
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
            last[pid] = (_kind(stat, cmdline), cpu)
        time.sleep(0.1)


def _kind(stat: str, cmdline: str) -> str:
    name = stat[stat.index("(") + 1:stat.rindex(")")]
    if "chrom" in name:
        for kind in ("renderer", "gpu-process", "utility", "zygote"):
            if f"--type={kind}" in cmdline:
                return f"Chromium {kind}"
        return "Chromium browser process"
    if name.startswith("node"):
        return "Playwright driver (node)"
    if "python" in name or "cookiescan" in name:
        return "cookiescan (Python)"
    return name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", default="www.mybakup.com")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from procstats import machine
    print(f"machine: {machine()}")
    print(f"SYNTHETIC fixture web: cookiescan scan https://{args.site}/ --pages 1, timed inside the process")
    timeline(args.site)
    cpu_by_process(args.site, args.runs)


if __name__ == "__main__":
    main()
