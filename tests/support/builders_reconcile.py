"""Hand-built scan results and declared sites for reconciliation tests.

Scans here are written by hand so each rule is tested on exactly the rows it
judges; the end-to-end test on the replica sites uses real scans.
"""
from __future__ import annotations

from scanner.models import (ACCEPT, BEFORE_CONSENT, REJECT, ConsentOutcome, DeclaredCookie, DeclaredSite,
                            ObservedCookie, ObservedRequest, PageVisit, PhaseResult, Retention, ScanResult,
                            StorageItem, Subprocessor)

SITE = "shop.example"
START = f"https://{SITE}/"
DAY = 86400.0


def cookie(name, phase=BEFORE_CONSENT, page=START, *, domain=SITE, party="first", lifetime=30 * DAY,
           session=None) -> ObservedCookie:
    session = lifetime is None if session is None else session
    return ObservedCookie(
        name=name, domain=domain, path="/", secure=True, http_only=False, same_site="Lax", partitioned=False,
        session=session, requested_lifetime_s=lifetime, stored_lifetime_s=min(lifetime, 400 * DAY) if lifetime else None,
        party=party, registrable_domain=domain.lstrip(".") if party == "third" else SITE, set_by="header",
        set_by_url=page, phase=phase, page_url=page, value_hash="0" * 16)


def request(host, phase=BEFORE_CONSENT, page=START) -> ObservedRequest:
    return ObservedRequest(url=f"https://{host}/x.js", host=host, registrable_domain=host.split(".", 1)[-1],
                           resource_type="script", phase=phase, page_url=page, status=200)


def storage(key, phase=BEFORE_CONSENT, page=START) -> StorageItem:
    return StorageItem(origin=START.rstrip("/"), kind="local", key=key, value_hash="0" * 16, party="first",
                       phase=phase, page_url=page)


def consent(action, effective=True) -> ConsentOutcome:
    if action == "none":
        return ConsentOutcome(action="none")
    done = {"accept": "given", "reject": "refused"}[action]
    status = done if effective else f"not_{done}"
    return ConsentOutcome(action=action, platform="didomi", method="rule", clicked=True, effective=effective,
                          status=status, reason="" if effective else "banner still visible")


def scan(*, cookies=(), requests=(), storage_items=(), failed_pages=(), unverified=(), site=SITE) -> ScanResult:
    phases = []
    for ph, action in ((BEFORE_CONSENT, "none"), (ACCEPT, "accept"), (REJECT, "reject")):
        pages = tuple(PageVisit(url=u, phase=ph, ok=u not in failed_pages, error="timeout" if u in failed_pages else None)
                      for u in sorted({START} | {c.page_url for c in cookies if c.phase == ph} | set(failed_pages)))
        phases.append(PhaseResult(
            phase=ph, pages=pages,
            cookies=tuple(c for c in cookies if c.phase == ph), blocked_cookies=(),
            storage=tuple(s for s in storage_items if s.phase == ph),
            requests=tuple(r for r in requests if r.phase == ph),
            consent=consent(action, effective=ph not in unverified)))
    return ScanResult(schema_version=1, site=site, start_url=f"https://{site}/", registrable_domain=site,
                      started_at="2026-01-01T00:00:00Z", finished_at="2026-01-01T00:01:00Z", tool_version="test",
                      browser="chromium", page_list=(f"https://{site}/",), phases=tuple(phases), synthetic=True)


def declared_cookie(name, retention="13 mois", seconds=None, kind=None, category="strictly_necessary",
                    vendor="Shop", line=1) -> DeclaredCookie:
    if kind is None:
        kind = "session" if retention.lower() == "session" else ("duration" if seconds is not None else "unknown")
    return DeclaredCookie(name=name, vendor=vendor, purpose="p", category=category,
                          retention=Retention(text=retention, kind=kind, seconds=seconds),
                          source=f"declared/{SITE}/cookies.yaml:{line}")


def declared(cookies=(), subprocessors=(), table="table") -> DeclaredSite:
    return DeclaredSite(site=SITE, cookie_table=table, cookies=tuple(cookies), subprocessors=tuple(
        Subprocessor(name=n, country="FR", category="Hosting", task="t", source=f"annex:{i}")
        for i, n in enumerate(subprocessors, 1)))


class DictVendors:
    """A tiny vendor map with the VendorMap interface, for hand-built scans."""

    def __init__(self, owners: dict[str, str], aliases: dict[str, str] | None = None):
        self._owners = owners  # registrable domain -> vendor
        self._aliases = aliases or {}

    def owner_of(self, host):
        host = host.lower()
        for domain, vendor in self._owners.items():
            if host == domain or host.endswith("." + domain):
                return vendor
        return None

    def owners(self, hosts):
        return hosts.map(self.owner_of)

    def canonical(self, name):
        return self._aliases.get(name, name)

    def domains_of(self, vendor):
        vendor = self.canonical(vendor)
        return tuple(domain for domain, owner in self._owners.items() if owner == vendor)


def declared_row(site, name: str):
    """The declared row `name` falls under, through the one matcher (scanner.common.names)."""
    from scanner.common.names import NameMatcher

    i = NameMatcher([c.name for c in site.cookies]).match(name)
    return site.cookies[i] if i >= 0 else None
