"""Commands that need no browser start without the heavy libraries (benchmarks/startup.py times them)."""
from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
from scanner.cli import main
sys.argv = ["cookiescan", *{args!r}]
try:
    main()
except SystemExit:
    pass
heavy = sorted(m for m in ("pandas", "numpy", "playwright", "jinja2") if m in sys.modules)
print("HEAVY=" + ",".join(heavy))
"""


@pytest.mark.parametrize("args", [("--help",), ("--version",), ("explain", "_ga")])
def test_light_commands_do_not_import_pandas_or_playwright(args):
    out = subprocess.run([sys.executable, "-c", PROBE.format(args=list(args))], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert out.strip().splitlines()[-1] == "HEAVY=", out[-500:]
