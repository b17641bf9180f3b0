"""The property-based tests of tests/properties/ at the deep budget: 10,000 examples per property.

The default test run uses 200 examples per property (tests/properties/conftest.py); this
script runs the same properties with COOKIESCAN_HYPOTHESIS=deep and prints, per property,
whether it held and how long it took.

    .venv/bin/python benchmarks/hypothesis_deep.py [-k EXPRESSION]
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default=None, help="only the properties matching this pytest expression")
    args = parser.parse_args()
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "--durations=0", "-o", "addopts=",
               "tests/properties"] + (["-k", args.k] if args.k else [])
    started = time.monotonic()
    proc = subprocess.run(command, cwd=ROOT, env={**os.environ, "COOKIESCAN_HYPOTHESIS": "deep"},
                          capture_output=True, text=True)
    took = time.monotonic() - started
    for line in proc.stdout.splitlines():
        m = re.match(r"\s*([\d.]+)s call\s+tests/properties/(\S+)", line)
        if m:
            print(f"{m.group(2):<75} {float(m.group(1)):8.1f} s  10,000 examples")
    tail = [line for line in proc.stdout.splitlines() if re.search(r"\d+ (passed|failed)", line)]
    print(f"total: {tail[-1] if tail else 'no result'} in {took:.0f} s")
    if proc.returncode:
        print(proc.stdout[-4000:], proc.stderr[-2000:], sep="\n")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
