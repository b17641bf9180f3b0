"""A night of scans on the fixture web: serial vs `--workers 2` vs two Celery worker processes.

    .venv/bin/python benchmarks/nightly.py [--sites 30] [--pages 10] [--modes serial,workers,celery]

Generates SYNTHETIC sites (scanner/demo/synthetic.py: every page sets cookies,
a banner whose "accept" loads a third-party pixel) into a temporary folder,
serves them with the fixture web, and runs the real `cookiescan check` on them
three ways. Prints, per mode: wall time, page-phases visited per minute (one
page visited in one phase), speed-up over serial, how many browsers ran at
once at most, the peak memory of one browser (PSS of a Chromium and all its
processes, so shared pages are counted once) and the machine's 5-minute load
average (other work on the machine slows every mode). Needs redis-server for
the Celery mode. Figures are for this machine and these synthetic pages only.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scanner.demo.fixtureweb import FixtureWeb  # noqa: E402
from scanner.demo.synthetic import write_config, write_sites  # noqa: E402
from tests.support.servers import cookiescan_command, redis_binary, redis_server, workers  # noqa: E402


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) for every process we can read."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        table[int(entry.name)] = (int(stat.rsplit(")", 1)[1].split()[1]), cmdline)
    return table


class BrowserMemory:
    """Samples every Chromium under the given process trees: browsers at once, peak PSS of one browser."""

    def __init__(self, roots: list[int]):
        self.roots = roots
        self.peak_browsers = 0
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            table = _processes()
            children: dict[int, list[int]] = {}
            for pid, (ppid, _) in table.items():
                children.setdefault(ppid, []).append(pid)
            mine, stack = set(), list(self.roots)
            while stack:
                pid = stack.pop()
                if pid not in mine:
                    mine.add(pid)
                    stack += children.get(pid, [])
            # A browser: a chromium process without --type= (its helpers have one), with its descendants.
            browsers = [pid for pid in mine if "chrom" in table.get(pid, (0, ""))[1].split(" ")[0]
                        and "--type=" not in table[pid][1]]
            self.peak_browsers = max(self.peak_browsers, len(browsers))
            for browser in browsers:
                tree, stack = 0, [browser]
                while stack:
                    pid = stack.pop()
                    tree += _pss_kib(pid)
                    stack += children.get(pid, [])
                self.peak_kib = max(self.peak_kib, tree)


def page_phases(out: Path) -> tuple[int, float]:
    """Pages visited, summed over every phase of every scan; mean scan.json size in KiB (history load)."""
    total, sizes = 0, []
    for scan_file in out.rglob("scan.json"):
        scan = json.loads(scan_file.read_text())
        total += sum(len(phase["pages"]) for phase in scan["phases"])
        sizes.append(scan_file.stat().st_size / 1024)
    return total, sum(sizes) / len(sizes) if sizes else 0.0


def run_mode(mode: str, web, config: Path, work: Path) -> dict:
    out = work / mode
    args = [*cookiescan_command(), "check", "--config", str(config), "--db", str(work / f"{mode}.db"),
            "--out", str(out), "--host-resolver-rules", web.resolver_rules, "--ignore-https-errors", "--synthetic"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    if mode == "celery":
        with redis_server() as redis, workers(redis.url, 2, work) as pool:
            started = time.monotonic()
            proc = subprocess.Popen(args + ["--broker", redis.url], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
            with BrowserMemory([proc.pid] + [w.process.pid for w in pool]) as memory:
                proc.wait()
    else:
        proc = subprocess.Popen(args + (["--workers", "2"] if mode == "workers" else []), cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL)
        with BrowserMemory([proc.pid]) as memory:
            proc.wait()
    elapsed = time.monotonic() - started
    visited, scan_kib = page_phases(out)
    return {"mode": mode, "exit": proc.returncode, "seconds": elapsed, "page_phases": visited,
            "per_min": visited / elapsed * 60, "browsers": memory.peak_browsers, "peak_mib": memory.peak_kib / 1024,
            "load": os.getloadavg()[1], "scan_kib": scan_kib}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=30)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--modes", default="serial,workers,celery")
    opts = parser.parse_args()
    modes = opts.modes.split(",")
    if "celery" in modes and not redis_binary():
        sys.exit("redis-server is not installed (scripts/setup.sh installs it)")
    with tempfile.TemporaryDirectory(prefix="cookiescan-nightly-") as tmp:
        work = Path(tmp)
        hosts = write_sites(work / "web", opts.sites, opts.pages)
        config = write_config(work / "cookiescan.toml", hosts, opts.pages)
        print(f"{opts.sites} SYNTHETIC sites x {opts.pages} pages x 3 phases, {os.cpu_count()} CPU(s)", flush=True)
        print(f"{'mode':<22}{'exit':>5}{'seconds':>9}{'page-phases':>13}{'per min':>9}{'speed-up':>10}"
              f"{'browsers':>10}{'MiB/browser':>13}{'load 5min':>11}{'KiB/scan':>10}", flush=True)
        serial = None
        with FixtureWeb(overlay=work / "web") as web:
            for mode in modes:
                row = run_mode(mode, web, config, work)
                serial = serial or (row["per_min"] if mode == "serial" else None)
                speedup = f"{row['per_min'] / serial:.2f}x" if serial else "-"
                label = {"serial": "serial", "workers": "--workers 2", "celery": "celery, 2 workers"}[mode]
                print(f"{label:<22}{row['exit']:>5}{row['seconds']:>9.0f}{row['page_phases']:>13}"
                      f"{row['per_min']:>9.1f}{speedup:>10}{row['browsers']:>10}{row['peak_mib']:>13.0f}"
                      f"{row['load']:>11.1f}{row['scan_kib']:>10.0f}", flush=True)


if __name__ == "__main__":
    main()
