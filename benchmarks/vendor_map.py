"""Figures of the vendor map quoted in the docs: vendors, domains, aliases, vendors without a domain.

    .venv/bin/python benchmarks/vendor_map.py
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from procstats import machine  # noqa: E402
from scanner.knowledge.vendors import load_vendor_map  # noqa: E402


def main() -> None:
    vendors = load_vendor_map().vendors
    no_domain = sorted(v.name for v in vendors if not v.domains)
    print(f"machine: {machine()}")
    print(f"scanner/knowledge/data/vendors.yaml: {len(vendors)} vendors, "
          f"{sum(len(v.domains) for v in vendors)} domains, {sum(len(v.aliases) for v in vendors)} aliases")
    print(f"{len(no_domain)} without any documented domain: {', '.join(no_domain)}")


if __name__ == "__main__":
    main()
