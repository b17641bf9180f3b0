"""`cookiescan diff`: one site's latest scan (stored, or scanned now) judged against its declared side,
and what changed since the scan before it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from scanner.config import SiteConfig
from scanner.errors import UserError
from scanner.history.changes import ScanChanges, compare_scans
from scanner.history.store import HistoryStore
from scanner.judge import Judgement, judge
from scanner.models import DeclaredSite, ScanResult


@dataclass(frozen=True)
class SiteReview:
    scan: ScanResult
    scan_id: int
    judgement: Judgement
    previous: ScanResult | None  # the scan before it, when there is one
    changes: ScanChanges | None  # only when asked for and there is a previous scan


def review_site(site: SiteConfig, declared: DeclaredSite | None, store: HistoryStore, *,
                scan: Callable[[SiteConfig], ScanResult] | None, since_last: bool = False) -> SiteReview:
    """Judge the latest scan of `site`: a new one from `scan` (then stored), or, with `scan=None`,
    the newest stored one."""
    records = store.scans(site.name, limit=2)
    if scan is None:
        if not records:
            raise UserError(f"no stored scan of {site.name} (stored sites: {', '.join(store.sites()) or 'none'})")
        current, current_id = store.load_scan(records[0].id), records[0].id
        previous = store.load_scan(records[1].id) if len(records) > 1 else None
        judgement = judge(current, declared, site)
    else:
        previous = store.load_scan(records[0].id) if records else None
        current = scan(site)
        judgement = judge(current, declared, site)
        current_id = store.save_scan(current, list(judgement.findings))
    changes = None
    if since_last and previous is not None:
        changes = compare_scans(previous, current, list(judge(previous, declared, site).findings),
                                list(judgement.findings))
    return SiteReview(scan=current, scan_id=current_id, judgement=judgement, previous=previous, changes=changes)
