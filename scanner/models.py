"""Records that cross module lines.

Data flows one way: collect -> ScanResult -> (classify, reconcile with
DeclaredSite) -> Finding -> renderers. Every record is a frozen dataclass so a
stage can never change what an earlier stage produced.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Phases of a scan, in the order they run.
BEFORE_CONSENT = "before_consent"
ACCEPT = "accept"
REJECT = "reject"
AUTHENTICATED = "authenticated"  # logged in, after accept
AUTHENTICATED_REJECT = "authenticated_reject"  # logged in, after reject (when the login asks for it)
PHASES = (BEFORE_CONSENT, ACCEPT, REJECT, AUTHENTICATED, AUTHENTICATED_REJECT)
LOGGED_IN_PHASES = (AUTHENTICATED, AUTHENTICATED_REJECT)
REFUSED_PHASES = (REJECT, AUTHENTICATED_REJECT)
PHASE_ORDER = {p: i for i, p in enumerate(PHASES)}


def phase_rank(phase: str | None) -> int:
    """Position in PHASES; an unknown phase sorts after every known one."""
    return PHASE_ORDER.get(phase or "", len(PHASES))

# Cookie / storage categories (CNIL vocabulary, English keys).
STRICTLY_NECESSARY = "strictly_necessary"
FUNCTIONAL = "functional"
ANALYTICS = "analytics"
MARKETING = "marketing"
UNKNOWN = "unknown"
CATEGORIES = (STRICTLY_NECESSARY, FUNCTIONAL, ANALYTICS, MARKETING, UNKNOWN)

# Finding severities, lowest first.
SEVERITIES = ("info", "low", "medium", "high")


def severity_rank(severity: str) -> int:
    """Position in SEVERITIES (-1 for an unknown severity, below every known one)."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1


# ---------------------------------------------------------------- observed ---

@dataclass(frozen=True)
class ObservedCookie:
    """One cookie as it stood in the browser, with how and where it was set."""

    name: str
    domain: str  # as stored: ".example.com" for a domain cookie, "example.com" host-only
    path: str
    secure: bool
    http_only: bool
    same_site: str | None  # "Strict" | "Lax" | "None" | None (not set)
    partitioned: bool
    session: bool  # as stored by the browser
    requested_lifetime_s: float | None  # what the site asked for; None = session or unknown
    stored_lifetime_s: float | None  # what the browser kept (capped at 400 days)
    party: str  # "first" | "third", relative to the site's registrable domain
    registrable_domain: str
    set_by: str  # "header" | "script" | "unknown"
    set_by_url: str | None  # response URL (header) or script URL (script)
    phase: str
    page_url: str  # page on which it first appeared in this phase
    value_hash: str  # sha256 prefix; raw values are never kept
    requested_lifetime_text: str | None = None  # raw Max-Age/Expires when the request was beyond the maximum


@dataclass(frozen=True)
class BlockedCookie:
    """A Set-Cookie the browser refused, with Chromium's reason."""

    name: str
    domain: str
    reasons: tuple[str, ...]
    url: str
    phase: str
    page_url: str


@dataclass(frozen=True)
class StorageItem:
    origin: str
    kind: str  # "local" | "session"
    key: str
    value_hash: str
    party: str
    phase: str
    page_url: str


@dataclass(frozen=True)
class ObservedRequest:
    """A request to a host outside the site's registrable domain."""

    url: str  # query string reduced to parameter names
    host: str
    registrable_domain: str
    resource_type: str
    phase: str
    page_url: str
    status: int | None  # None when the request failed
    failure: str | None = None


@dataclass(frozen=True)
class PageVisit:
    url: str
    phase: str
    ok: bool
    error: str | None = None
    final_url: str | None = None
    http_status: int | None = None
    title: str | None = None
    duration_s: float = 0.0


@dataclass(frozen=True)
class ConsentOutcome:
    """What the consent step of a phase did, and whether it took effect."""

    action: str  # "none" | "accept" | "reject"
    platform: str | None = None  # detected consent platform (e.g. "didomi")
    method: str | None = None  # which rule/heuristic/override clicked
    clicked: bool = False
    effective: bool = False  # judged by effect: banner gone, consent stored
    status: str = "not_applicable"  # "not_applicable" | "given" | "refused" | "not_given" | "not_refused"
    reason: str = ""
    evidence: tuple[str, ...] = ()  # e.g. "banner hidden", "cookie euconsent-v2 stored"
    screenshot: str | None = None


@dataclass(frozen=True)
class LoginOutcome:
    """Result of the login step of an authenticated phase."""

    attempted: bool
    logged_in: bool
    method: str | None = None  # "steps" | "storage_state"
    reason: str = ""
    cookies_at_login: tuple[str, ...] = ()  # cookie names that appeared during login


# -------------------------------------------------------------- behaviour ---
# What scripts did beyond cookies (scanner.collect.behaviour; rules in docs/behaviour.md).

@dataclass(frozen=True)
class FingerprintingCall:
    """A script that read back a browser fingerprint (canvas, webgl, audio, fonts)."""

    technique: str  # "canvas" | "webgl" | "audio" | "fonts"
    script_url: str  # script on top of the stack (query reduced to names)
    initiator_url: str  # script at the bottom of the stack (who called the library)
    detail: str  # what crossed the threshold, e.g. "toDataURL 240x60, 2 colours, 27 chars"
    phase: str
    page_url: str


@dataclass(frozen=True)
class SessionRecording:
    """A session-recording vendor recognised by its script, global or recording endpoint."""

    vendor: str  # name in knowledge/data/session_recorders.yaml
    signal: str  # "script" | "endpoint" | "global"
    evidence: str  # URL (query reduced to names) or global name
    host: str  # host that served the script / received the data; "" for a global
    initiator_url: str  # script that loaded the recorder, when known
    phase: str
    page_url: str


@dataclass(frozen=True)
class InputLeak:
    """A value typed (never submitted) into a field that reached a third party."""

    field: str  # "email" | "name" | "phone" | "search"
    encoding: str  # "plain" | "url" | "base64" | "md5" | "sha1" | "sha256"
    channel: str  # "url" | "body" | "header"
    host: str
    request_url: str  # query reduced to names; the body is never kept
    phase: str
    page_url: str


@dataclass(frozen=True)
class UrlLeak:
    """The page's own path reaching a third party."""

    host: str
    channel: str  # "referer" | "param <name>" | "body"
    leaked_path: str  # path of the first-party URL that leaked (query dropped)
    with_query: bool  # the leaked URL also carried a query string
    referrer_policy: str  # policy Chromium applied to the request
    request_url: str
    phase: str
    page_url: str


@dataclass(frozen=True)
class PixelEvent:
    """A Meta pixel or Google Analytics / Ads hit, decoded."""

    vendor: str  # "Meta pixel" | "Google Analytics 4" | "Universal Analytics" | "Google Ads"
    pixel_id: str
    event: str
    page: str  # page the hit names (dl/url parameter), path only
    host: str
    phase: str
    page_url: str
    parameters: tuple[str, ...] = ()  # names of custom-data parameters, never values


@dataclass(frozen=True)
class PhaseBehaviour:
    fingerprinting: tuple[FingerprintingCall, ...] = ()
    session_recordings: tuple[SessionRecording, ...] = ()
    input_leaks: tuple[InputLeak, ...] = ()
    url_leaks: tuple[UrlLeak, ...] = ()
    pixel_events: tuple[PixelEvent, ...] = ()
    fields_typed: int = 0  # inputs the key-logging step typed into, over the phase


@dataclass(frozen=True)
class PhaseResult:
    phase: str
    pages: tuple[PageVisit, ...]
    cookies: tuple[ObservedCookie, ...]
    blocked_cookies: tuple[BlockedCookie, ...]
    storage: tuple[StorageItem, ...]
    requests: tuple[ObservedRequest, ...]
    consent: ConsentOutcome
    screenshots: tuple[str, ...] = ()  # paths relative to the scan file
    login: LoginOutcome | None = None
    har: str | None = None
    error: str | None = None  # the phase itself could not run (browser failed to start...)
    behaviour: PhaseBehaviour = PhaseBehaviour()  # absent from scans made before it existed
    cookies_attempted: int = 0  # distinct cookies the site's writes asked for (the browser may keep fewer)
    records_dropped: int = 0  # cookies, keys, requests past the recorder's per-phase limit


@dataclass(frozen=True)
class ScanResult:
    schema_version: int
    site: str
    start_url: str
    registrable_domain: str
    started_at: str  # ISO 8601 UTC
    finished_at: str
    tool_version: str
    browser: str
    page_list: tuple[str, ...]
    phases: tuple[PhaseResult, ...]
    synthetic: bool = False  # True when the target is a fixture replica, never a real site

    def phase(self, name: str) -> PhaseResult | None:
        return next((p for p in self.phases if p.phase == name), None)


# ---------------------------------------------------------------- declared ---

@dataclass(frozen=True)
class Retention:
    """A declared retention, normalised where it is a cookie lifetime."""

    text: str  # original wording, e.g. "13 Mois"
    kind: str  # "session" | "duration" | "relative" | "unknown"
    seconds: float | None = None  # set when kind == "duration"


@dataclass(frozen=True)
class DeclaredCookie:
    name: str  # exact name or a pattern with "*" (e.g. "_ga_*")
    vendor: str
    purpose: str
    category: str
    retention: Retention
    source: str  # "file:line" it came from
    draft: bool = False
    row: str = field(default="", compare=False)  # where it is, not what it says: "declared/<site>/cookies.yaml:LINE": the row in the repository (SARIF locates findings there)
    # How the policy gives `category`: "stated" (the row or its section heading says it),
    # "purpose_text" (inferred from the row's purpose: weak evidence), "" when unknown.
    category_source: str = "stated"


@dataclass(frozen=True)
class Subprocessor:
    name: str
    country: str
    category: str
    task: str
    source: str
    group: str = ""  # heading the annex lists it under ("Hosting", "Supporto"...)


@dataclass(frozen=True)
class DeclaredSite:
    site: str
    cookie_table: str  # "table" | "none" | "by_reference"
    cookies: tuple[DeclaredCookie, ...]
    subprocessors: tuple[Subprocessor, ...]
    notes: str = ""
    sources: tuple[str, ...] = ()


# ---------------------------------------------------------------- findings ---

@dataclass(frozen=True)
class Finding:
    kind: str  # see reconcile.FINDING_KINDS
    severity: str  # one of SEVERITIES
    subject: str  # cookie name, storage key, host or vendor
    message: str  # one line a DPO can read
    phase: str | None = None
    page_url: str | None = None
    evidence: str = ""
    declared_ref: str | None = None  # "file:line" of the declared row it relates to
    classification: str | None = None  # category used to judge it
    classification_source: str | None = None  # where that category came from
    vendor: str | None = None
    fingerprint: str = field(default="")  # stable id across scans (for baselines and diffs)
