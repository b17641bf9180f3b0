"""Hypothesis budgets: 200 examples per property in the default run, 10,000 with COOKIESCAN_HYPOTHESIS=deep.

`benchmarks/hypothesis_deep.py` runs the deep budget and prints the figures.
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                     HealthCheck.filter_too_much], derandomize=False)
settings.register_profile("ci", max_examples=200, **_COMMON)
settings.register_profile("deep", max_examples=10_000, **_COMMON)
settings.load_profile("deep" if os.environ.get("COOKIESCAN_HYPOTHESIS") == "deep" else "ci")
