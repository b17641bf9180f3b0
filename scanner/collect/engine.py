"""Scan one site: before consent, after accept, after reject (and logged in).

Each phase is an independent unit: a fresh browser profile, the page list, the
consent action, and it hands back one PhaseResult. The before-consent phase
also discovers the page list (a visitor who never touches the banner), so the
accept and reject phases visit exactly the same pages.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Mapping

from playwright.sync_api import Error as PlaywrightError

from scanner import __version__
from scanner.collect.browser import browser_version, open_context, started_browser
from scanner.collect.behaviour import BehaviourCollector
from scanner.collect.collectors import Collectors, Har, Screenshots
from scanner.collect.cooperative import Cooperative, Slots, Stream
from scanner.collect.options import ScanOptions
from scanner.collect.recorder import PhaseRecorder
from scanner.collect.visitor import Visitor
from scanner.config import SiteConfig
from scanner.collect.consent import ConsentDriver
from scanner.collect.crawl import follow_candidates, normalise, page_links
from scanner.common.domains import host_of, registrable_domain
from scanner.common.text import first_line
from scanner.models import (ACCEPT, AUTHENTICATED, AUTHENTICATED_REJECT, BEFORE_CONSENT, LOGGED_IN_PHASES, REFUSED_PHASES,
                     REJECT, ConsentOutcome, LoginOutcome, PageVisit, PhaseResult, ScanResult)
from scanner.scanfile import SCHEMA_VERSION, save_scan, scan_dir

Progress = Callable[[str, str], None]  # (event, detail)


@dataclass(frozen=True)
class PhaseJob:
    """Everything one phase needs; nothing it shares with another phase."""

    site: SiteConfig
    phase: str
    pages: tuple[str, ...]  # empty in before-consent: that phase discovers them
    out_dir: Path
    options: ScanOptions
    pages_later: Iterable[str] | None = None  # the list as the before-consent phase discovers it
    expect_notice: bool = True  # False once the before-consent phase loaded the start page and saw no notice
    found: Callable[[str], None] | None = None  # before consent: told each page as it joins the list

    def page_list(self) -> Iterable[str]:
        return self.pages_later if self.pages_later is not None else self.pages


def scan_site(site: SiteConfig, options: ScanOptions, progress: Progress | None = None,
              started: tuple | None = None) -> ScanResult:
    """Run every configured phase and write `scan.json` under options.out_dir/<site>/<time>/.
    `started`: the (playwright, browser) of `browser.started_browser(options.browser)` when the
    caller started it early (the `scan` command does, while this module is still being imported)."""
    if started is None:
        with started_browser(options.browser) as ours:
            return scan_site(site, options, progress, ours)
    pw, shared = started
    say = progress or (lambda event, detail: None)
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    out_dir = scan_dir(options.out_dir, site.name, started_at)
    out_dir.mkdir(parents=True, exist_ok=True)
    site_domain = registrable_domain(host_of(site.start_url))
    order = phases_for(site, options)
    if options.jobs > 1:
        first, pages, browser, results = _run_together(pw, shared, site, order, out_dir, site_domain, say, options)
    else:
        first, pages, browser, results = _run_in_turn(pw, shared, site, order, out_dir, site_domain, say, options)
    phases = [first, *results]
    scan = ScanResult(
        schema_version=SCHEMA_VERSION, site=site.name, start_url=site.start_url,
        registrable_domain=site_domain, started_at=started_at,
        finished_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        tool_version=__version__, browser=browser, page_list=pages, phases=tuple(phases),
        synthetic=options.synthetic)
    save_scan(scan, out_dir / "scan.json")
    say("saved", str(out_dir / "scan.json"))
    return scan


def start_page(site: SiteConfig) -> str:
    """The site's start URL as the crawl spells pages (the page list begins with it)."""
    return normalise(site.start_url) or site.start_url


def _reachable(first: PhaseResult) -> bool:
    return first.error is None and bool(first.pages) and first.pages[0].ok


def notice_possible(first: PhaseResult) -> bool:
    """Whether a later phase may meet a notice: not when before consent loaded the start page and saw none."""
    return not (first.pages and first.pages[0].ok and first.consent.platform is None)


def _run_in_turn(pw, shared, site: SiteConfig, order: list[str], out_dir: Path, site_domain: str, say: Progress,
                 options: ScanOptions) -> tuple[PhaseResult, tuple[str, ...], str, list[PhaseResult]]:
    """One phase after another; the later ones know whether the start page showed a notice."""
    say("phase", BEFORE_CONSENT)
    first, discovered, browser = run_phase(
        pw, PhaseJob(site=site, phase=BEFORE_CONSENT, pages=(), out_dir=out_dir, options=options),
        site_domain, say, shared)
    pages = discovered or (start_page(site),)
    results = []
    # A start page that does not load makes every later phase repeat the same failure.
    for phase in order[1:] if _reachable(first) else ():
        say("phase", phase)
        job = PhaseJob(site=site, phase=phase, pages=pages, out_dir=out_dir, options=options,
                       expect_notice=notice_possible(first))
        results.append(run_phase(pw, job, site_domain, say, shared)[0])
    return first, pages, browser, results


def _run_together(pw, shared, site: SiteConfig, order: list[str], out_dir: Path, site_domain: str, say: Progress,
                  options: ScanOptions) -> tuple[PhaseResult, tuple[str, ...], str, list[PhaseResult]]:
    """Up to `options.jobs` phases at once in the one browser (cooperative.py), each in its own fresh
    context. The later phases load the start page and make their consent choice while the
    before-consent phase is still discovering the page list, then follow that list page by page
    as it grows (a `Stream`). The logged-in phases run one after the other (two logins at once
    with one account may log each other out). Results keep the phase order."""
    together = Cooperative(pw)
    page_list = Stream(together)
    fallback = (start_page(site),)
    slots = Slots(together, options.jobs)

    def discover() -> tuple[PhaseResult, str]:
        with slots.held():
            try:
                say("phase", BEFORE_CONSENT)
                first, _, browser = run_phase(
                    pw, PhaseJob(site=site, phase=BEFORE_CONSENT, pages=(), out_dir=out_dir, options=options,
                                 found=page_list.put),
                    site_domain, say, shared)
                return first, browser
            finally:
                page_list.close()  # also after a crash: the other phases must not wait for ever

    def chain(phases: tuple[str, ...]) -> list[PhaseResult]:
        results = []
        for phase in phases:
            with slots.held():
                say("phase", phase)
                job = PhaseJob(site=site, phase=phase, pages=(), out_dir=out_dir, options=options,
                               pages_later=page_list)
                results.append(run_phase(pw, job, site_domain, say, shared)[0])
        return results

    later = order[1:]
    chains = [(p,) for p in later if p not in LOGGED_IN_PHASES]
    logged_in = tuple(p for p in later if p in LOGGED_IN_PHASES)
    if logged_in:
        chains.append(logged_in)
    outcome = together.run([discover, *[lambda c=c: chain(c) for c in chains]])
    for item in outcome:
        if isinstance(item, Exception):
            raise item
    (first, browser), *chained = outcome
    by_phase = {r.phase: r for results in chained for r in results}
    results = [by_phase[p] for p in later if p in by_phase]
    if not _reachable(first):
        results = []  # as one after another: no later phase when the start page did not load
    return first, page_list.items() or fallback, browser, results


def phases_for(site: SiteConfig, options: ScanOptions) -> list[str]:
    wanted = [p for p in (BEFORE_CONSENT, ACCEPT, REJECT) if p in options.phases]
    if BEFORE_CONSENT not in wanted:
        wanted.insert(0, BEFORE_CONSENT)  # the page list comes from it
    if site.login and AUTHENTICATED in options.phases:
        wanted.append(AUTHENTICATED)
        if site.login.after_reject:
            wanted.append(AUTHENTICATED_REJECT)
    return wanted


def run_phase(pw, job: PhaseJob, site_domain: str, say: Progress,
              browser=None) -> tuple[PhaseResult, tuple[str, ...], str]:
    """One (site, phase) unit: collectors watch while the steps run (visit the start page; detect or
    apply consent; log in; visit the pages). Returns the result, the discovered page list, the browser version."""
    options = job.options
    recorder = PhaseRecorder(phase=job.phase, site_domain=site_domain)
    shots = Screenshots(job.out_dir, job.phase, start=job.phase == BEFORE_CONSENT) if options.screenshots else None
    behaviour = (BehaviourCollector(phase=job.phase, site_domain=site_domain, input_wait_s=options.input_wait_s)
                 if options.behaviour else None)
    har = Har(job.out_dir / f"{job.phase}.har", _login_secrets(job) + _typed_values()) if options.har else None
    collectors = Collectors([c for c in (recorder, behaviour, shots, har) if c is not None], say)
    login_cfg = job.site.login if job.phase in LOGGED_IN_PHASES else None
    storage_state, login = _storage_state(job.site, login_cfg)
    visits: list[PageVisit] = []
    consent = ConsentOutcome(action="none")
    discovered: tuple[str, ...] = ()
    version, error = "", None
    try:
        with open_context(pw, options.browser, record_har_path=str(har.path) if har else None,
                          storage_state=storage_state, browser=browser) as context:
            version = browser_version(context)
            driver = ConsentDriver(accept_selector=job.site.accept_selector,
                                   reject_selector=job.site.reject_selector, timeout_s=options.consent_timeout_s)
            collectors.install(context)
            driver.install(context)
            visitor = Visitor(context, recorder, collectors, options, say, behaviour)
            start = start_page(job.site)
            # Before the consent click of an accept/reject phase nothing is typed (what a keylogger
            # sends then would be credited to a choice not yet made), and the consent step starts once
            # the document is parsed: it waits for the notice itself (a visitor clicks it as soon as it
            # shows), and the page goes on loading, recorded, meanwhile.
            before = job.phase == BEFORE_CONSENT
            first = visitor.visit(start, probe_inputs=before, settle=before)
            visits.append(first)
            if job.phase == BEFORE_CONSENT:
                consent = ConsentOutcome(action="none", platform=driver.detect(
                    visitor.page, shown_since=visitor.shown_since) if first.ok else None)
                driver.stand_down()
                discovered = _crawl(visitor, [start] if first.ok else [], site_domain, job.site.deny_patterns,
                                    job.site.pages, visits, already=(start, first.final_url or start), found=job.found)
            else:
                consent = _consent(visitor, driver, job, first, shots)
                driver.stand_down()
                if login_cfg and login is None:
                    visitor.settle(options.after_click_s)  # what the click started, before the login page
                    login = _login(visitor, login_cfg)
                    if login.logged_in:
                        _crawl(visitor, _app_pages(job.site.start_url, login_cfg), site_domain,
                               login_cfg.deny_patterns, job.site.pages, visits, visit_seeds=True)
                elif not login_cfg:
                    if consent.clicked or not first.ok:
                        # The start page again, what a visitor sees once the choice is made: in a new tab,
                        # while the clicked page finishes what the click started (trackers load after it).
                        # Nothing clicked on a page that loaded: the page on screen already shows the only
                        # state there is. (A first load that failed is tried again.)
                        visits.append(visitor.visit(start, beside_current=True))
                    # The list the before-consent phase discovers (it begins with `start`), page by page as it comes.
                    for url in job.page_list():
                        if url != start:
                            visits.append(visitor.visit(url))
            collectors.finish(context, visitor.page)
    except PlaywrightError as exc:  # the browser itself failed: the phase is failed, the scan goes on
        error = first_line(exc)
        say("phase-failed", f"{job.phase}: {error}")
    result = PhaseResult(phase=job.phase, pages=tuple(visits), consent=consent, login=login, error=error,
                         **collectors.result())
    return result, discovered, version


def _storage_state(site: SiteConfig, login_cfg) -> tuple[str | None, LoginOutcome | None]:
    """The saved login to start from; a missing file is a failed login, said loudly, not a crash."""
    if not login_cfg or not login_cfg.storage_state:
        return None, None
    if Path(login_cfg.storage_state).is_file():
        return login_cfg.storage_state, None
    return None, LoginOutcome(attempted=False, logged_in=False, method="storage_state",
                              reason=f"storage state file {login_cfg.storage_state} not found "
                                     f"(run: cookiescan login {site.name})")


def _consent(visitor: Visitor, driver, job: PhaseJob, first: PageVisit, shots: Screenshots | None) -> ConsentOutcome:
    action = "reject" if job.phase in REFUSED_PHASES else "accept"
    if first.ok:
        consent = driver.apply(visitor.page, action, expect_notice=job.expect_notice, shown_since=visitor.shown_since)
    else:
        consent = ConsentOutcome(action=action, status="not_refused" if action == "reject" else "not_given",
                                 reason=f"start page failed: {first.error}")
    if shots is not None and consent.clicked:  # what the click left on screen (nothing clicked: nothing to show)
        consent = dataclasses.replace(consent, screenshot=shots.take(visitor.page, f"{job.phase}-after-click.png"))
    return consent


def _crawl(visitor: Visitor, seeds: list[str], site_domain: str, deny_patterns, limit: int,
           visits: list[PageVisit], *, visit_seeds: bool = False, already: tuple[str, ...] = (),
           found: Callable[[str], None] | None = None) -> tuple[str, ...]:
    """Breadth-first over same-site links, in document order, until `limit` pages are known.

    Seeds already on screen (the start page) are not visited again unless `visit_seeds`.
    `found` is told each page as it joins the list, before it is visited.
    """
    pages: list[str] = []
    seen = {normalise(u) or u for u in already}
    queue = list(seeds)
    found = found or (lambda url: None)
    if not visit_seeds:
        pages += seeds
        for seed in seeds:
            found(seed)
        seen |= set(seeds)
        queue = follow_candidates(page_links(visitor.page), site_domain, deny_patterns, seen) if seeds else []
    while queue and len(pages) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        pages.append(url)
        found(url)
        visit = visitor.visit(url)
        visits.append(visit)
        if visit.ok:
            queue += follow_candidates(page_links(visitor.page), site_domain, deny_patterns, seen | set(queue))
    return tuple(pages)


def _login(visitor: Visitor, login_cfg) -> LoginOutcome:
    from scanner.collect.login.perform import perform_login  # only loaded for logged-in scans
    # What consent set belongs to the start page, what the login sets to the login page:
    # without these snapshots both would be credited to the first app page.
    visitor.recorder.snapshot(visitor.context, visitor.page)
    known = visitor.recorder.cookie_keys()
    visitor.recorder.current_page = login_cfg.login_url
    outcome = perform_login(visitor.context, visitor.page, login_cfg, environ=_credentials(visitor.options))
    visitor.recorder.snapshot(visitor.context, visitor.page)
    # The login is credited with every cookie the recorder first saw between its two snapshots, as the
    # cookies' page is: perform_login compares the jar a moment after the first and before the second,
    # and a tracker's cookie arriving late from the consent click would fall in one and not the other.
    appeared = {key[0] for key in visitor.recorder.cookie_keys() - known}
    return dataclasses.replace(outcome, cookies_at_login=tuple(sorted(appeared | set(outcome.cookies_at_login))))


def _credentials(options: ScanOptions) -> Mapping[str, str]:
    return os.environ if options.credentials is None else options.credentials


def _app_pages(start_url: str, login_cfg) -> list[str]:
    from urllib.parse import urljoin
    pages = []
    for path in login_cfg.app_paths or (login_cfg.login_url,):
        url = normalise(urljoin(start_url, path))
        if url and url not in pages:
            pages.append(url)
    return pages


def _login_secrets(job: PhaseJob) -> tuple[str, ...]:
    """What a login types, to scrub from the HAR wherever it appears."""
    if not job.site.login:
        return ()
    from scanner.collect.login.perform import login_secrets
    return tuple(login_secrets(job.site.login, _credentials(job.options)))


def _typed_values() -> tuple[str, ...]:
    """What the key-logging step types, in every form, to scrub from the HAR."""
    from scanner.collect.leaks import encoded_variants
    return tuple(text for _, _, text in encoded_variants())
