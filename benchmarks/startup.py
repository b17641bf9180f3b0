"""Start-up of the commands that need no browser: `cookiescan --help` and `cookiescan explain _ga`.

    .venv/bin/python benchmarks/startup.py [--runs 10]

Whole processes, as a user runs them: wall and CPU (user + system) seconds, median and best
of --runs, after one warm-up run (the page cache holds the files then, as on a second run).
Python caches compiled modules as it does by default, also where PYTHONDONTWRITEBYTECODE is set
for development (an installed wheel has them compiled at install time).
Target: --help under 0.3 s.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from procstats import machine, run_measured  # noqa: E402

TARGET_S = 0.3


def command(*args: str) -> list[str]:
    exe = Path(sys.executable).with_name("cookiescan")
    head = [str(exe)] if exe.exists() else [sys.executable, "-c", "from scanner.cli import main; main()"]
    return [*head, *args]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"{'command':28} {'wall median':>11} {'best':>6} {'CPU median':>10}")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for argv in (("--help",), ("explain", "_ga"), ("--version",)):
        run_measured(command(*argv), env=env)  # warm-up (and the compiled modules cached)
        runs = [run_measured(command(*argv), env=env) for _ in range(args.runs)]
        wall = statistics.median(r.wall_s for r in runs)
        label = "cookiescan " + " ".join(argv)
        print(f"{label:28} {wall:10.2f}s {min(r.wall_s for r in runs):5.2f}s "
              f"{statistics.median(r.cpu_s for r in runs):9.2f}s"
              + (f"  (target < {TARGET_S} s: {'met' if wall < TARGET_S else 'NOT met'})" if argv == ("--help",) else ""),
              flush=True)


if __name__ == "__main__":
    main()
