"""Scans of many sites: a local pool of browsers (`check --workers N`) or Celery workers through Redis
(`cookiescan worker`, `check --broker`). The units themselves are in scanner/collect/units.py."""
