"""Launch Chromium the way a default desktop Chrome user meets a site.

- Debian's /usr/bin/chromium when present, Playwright's own browser elsewhere.
- A throw-away profile whose Preferences allow third-party cookies (headless
  Chromium blocks them by default, desktop Chrome does not), and a fresh context
  per phase: one browser per site, or one per phase when phases run at once.
- Flags that keep Chromium from calling home (closed networks, CI).
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import stat
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


from scanner.errors import UserError

SYSTEM_CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")

# Chromium honours only the last --disable-features, so this list replaces Playwright's. It
# keeps what a page meets as in desktop Chrome (storage partitioning, HTTPS upgrades stay on)
# and turns off browser furniture no page sees: the omnibox popups are web UIs that headless
# Chromium preloads in a renderer per context (they cost a scan over a third of its CPU),
# and services that call Google (closed networks, CI).
DISABLED_FEATURES = (
    "IsolateOrigins", "site-per-process",  # see --disable-site-isolation-trials below
    "WebUIOmniboxPopup", "WebUIOmniboxAimPopup", "AimEnabled", "LensOverlay", "MediaRouter",
    "OptimizationHints", "NetworkTimeServiceQuerying", "PreconnectToSearch",
)

QUIET_FLAGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-quic",
    # Keep cross-site iframes in the page's process so one CDP session sees
    # every Set-Cookie header, the iframes' included.
    "--disable-site-isolation-trials",
    "--disable-features=" + ",".join(DISABLED_FEATURES),
    # navigator.webdriver false, as for a visitor: consent libraries (vanilla-cookieconsent's
    # hideFromBots) and trackers behave differently for automated browsers.
    "--disable-blink-features=AutomationControlled",
)

USER_AGENT_NOTE = "cookiescan"


@dataclass(frozen=True)
class BrowserOptions:
    executable: str | None = None  # None: system Chromium if found, else Playwright's
    headless: bool = True
    host_resolver_rules: str | None = None  # e.g. "MAP * 127.0.0.1:8443" for the fixture web
    ignore_https_errors: bool = False
    viewport: tuple[int, int] = (1280, 900)
    locale: str | None = None
    navigation_timeout_s: float = 20.0


def find_chromium(explicit: str | None = None) -> str | None:
    if explicit:
        return explicit
    env = os.environ.get("COOKIESCAN_CHROMIUM")
    if env:
        return env
    for candidate in SYSTEM_CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return None  # Playwright's bundled browser


def no_chromium_message(executable: str | None) -> str:
    where = f"{executable} does not exist" if executable else "no Chromium found"
    return (f"{where}: install one with `apt-get install chromium` (Debian, Ubuntu) or "
            "`python -m playwright install chromium`, or set COOKIESCAN_CHROMIUM to a Chromium binary")


def node_compile_cache() -> Path:
    """Where Node keeps the compiled code of Playwright's driver between runs (XDG cache folder)."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "cookiescan" / "node-compile-cache"


def playwright_driver():
    """`sync_playwright()`, its driver (Node) reusing its compiled code from the last run: the driver
    starts in about 0.35 s instead of 0.5. Only compiled JavaScript of Playwright's own goes there,
    never page data; Node skips the cache silently when the folder cannot be written, and a user's
    own NODE_COMPILE_CACHE (or NODE_DISABLE_COMPILE_CACHE=1) wins."""
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("NODE_COMPILE_CACHE", str(node_compile_cache()))
    return sync_playwright()


def require_chromium(explicit: str | None = None) -> None:
    """Fail in one line before a scan starts, rather than after its progress lines, when no browser can run."""
    executable = find_chromium(explicit)
    if executable:
        if not Path(executable).exists():
            raise UserError(no_chromium_message(executable))
        return
    with playwright_driver() as playwright:
        if not Path(playwright.chromium.executable_path).exists():
            raise UserError(no_chromium_message(None))


def launch_args(options: BrowserOptions) -> list[str]:
    args = list(QUIET_FLAGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start as root otherwise
    if options.host_resolver_rules:
        args.append(f"--host-resolver-rules={options.host_resolver_rules}")
    return args


def write_profile(user_data_dir: Path) -> None:
    """Preferences of a default desktop Chrome: third-party cookies allowed."""
    default = user_data_dir / "Default"
    default.mkdir(parents=True, exist_ok=True)
    prefs = {"profile": {"cookie_controls_mode": 0, "block_third_party_cookies": False}}
    (default / "Preferences").write_text(json.dumps(prefs), encoding="utf-8")


PROFILE_LOCK = ".cookiescan-lock"


def profiles_root() -> Path:
    """This user's private folder for browser profiles (0700): a profile holds a site's cookie jar."""
    root = Path(tempfile.gettempdir()) / f"cookiescan-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
    root.mkdir(mode=0o700, exist_ok=True)
    info = root.lstat()
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode) or (
            hasattr(os, "getuid") and info.st_uid != os.getuid()):
        # Someone else made it (or a symlink): never put cookie jars there.
        return Path(tempfile.mkdtemp(prefix="cookiescan-"))
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(root, 0o700)
    return root


def sweep_stale_profiles(root: Path) -> list[Path]:
    """Remove the profiles of scans that died (SIGKILL, power loss): nobody holds their lock any more."""
    removed = []
    for profile in root.glob("profile-*"):
        try:
            fd = os.open(profile / PROFILE_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # a running scan holds it
        shutil.rmtree(profile, ignore_errors=True)
        os.close(fd)
        removed.append(profile)
    return removed


@contextmanager
def private_profile():
    """A fresh profile folder, locked while in use, removed on the way out (a crash is swept next time)."""
    root = profiles_root()
    sweep_stale_profiles(root)
    user_data_dir = Path(tempfile.mkdtemp(prefix="profile-", dir=root))  # mkdtemp: mode 0700
    fd = os.open(user_data_dir / PROFILE_LOCK, os.O_RDWR | os.O_CREAT, 0o600)  # not inherited by Chromium
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield user_data_dir
    finally:
        shutil.rmtree(user_data_dir, ignore_errors=True)
        os.close(fd)


@contextmanager
def open_context(playwright, options: BrowserOptions, *, record_har_path: str | None = None,
                 storage_state: str | None = None, browser=None):
    """A fresh browser context: a new context of `browser` (see launch_browser) when given,
    else a browser of its own with its own throw-away profile."""
    if browser is not None and browser.is_connected():
        with _fresh_context(browser, options, record_har_path, storage_state) as context:
            yield context
        return
    with private_profile() as user_data_dir:
        with _persistent_context(playwright, options, user_data_dir, record_har_path, storage_state) as context:
            yield context


@contextmanager
def started_browser(options: BrowserOptions):
    """Playwright's driver and the site's one Chromium (launch_browser): yields (playwright, browser).
    The `scan` command enters it first thing, so that they start while the engine is imported."""
    with playwright_driver() as playwright, launch_browser(playwright, options) as browser:
        yield playwright, browser


@contextmanager
def launch_browser(playwright, options: BrowserOptions):
    """One Chromium for all the phases of a site (one launch instead of one per phase).

    It runs on a throw-away profile whose Preferences allow third-party cookies and that no
    page ever uses: each phase gets a fresh context of its own from it (`open_context(...,
    browser=...)`), with its own empty cookie jar, storage and cache, gone when it closes;
    the contexts inherit the profile's cookie settings."""
    with private_profile() as user_data_dir:
        with _persistent_context(playwright, options, user_data_dir, None, None) as base:
            yield base.browser


@contextmanager
def _fresh_context(browser, options: BrowserOptions, record_har_path: str | None, storage_state: str | None):
    context = browser.new_context(**_context_kwargs(options, record_har_path))
    with _prepared(context, options, storage_state):
        yield context


@contextmanager
def _persistent_context(playwright, options: BrowserOptions, user_data_dir: Path, record_har_path: str | None,
                        storage_state: str | None):
    write_profile(user_data_dir)
    kwargs = dict(user_data_dir=str(user_data_dir), headless=options.headless, args=launch_args(options),
                  **_context_kwargs(options, record_har_path))
    executable = find_chromium(options.executable)
    if executable:
        kwargs["executable_path"] = executable
    from playwright.sync_api import Error as PlaywrightError  # here: `cookiescan --help` needs no Playwright

    try:
        context = playwright.chromium.launch_persistent_context(**kwargs)
    except PlaywrightError as exc:
        shutil.rmtree(user_data_dir, ignore_errors=True)
        if "executable doesn't exist" in str(exc).lower():
            raise UserError(no_chromium_message(executable)) from None
        raise
    with _prepared(context, options, storage_state):
        yield context


@contextmanager
def _prepared(context, options: BrowserOptions, storage_state: str | None):
    """Timeouts and saved login state on a new context; closed at the end even if its browser died
    (a crashed persistent profile is removed by private_profile)."""
    try:
        context.set_default_navigation_timeout(options.navigation_timeout_s * 1000)
        if storage_state:
            _load_storage_state(context, storage_state)
        yield context
    finally:
        try:
            context.close()
        except Exception:  # the browser died with the phase: nothing left to close
            pass


def _context_kwargs(options: BrowserOptions, record_har_path: str | None) -> dict:
    """What every phase's context gets, whether fresh in a shared browser or in its own profile."""
    kwargs = dict(ignore_https_errors=options.ignore_https_errors,
                  viewport={"width": options.viewport[0], "height": options.viewport[1]})
    if options.locale:
        kwargs["locale"] = options.locale
    if record_har_path:
        kwargs["record_har_path"] = record_har_path
        kwargs["record_har_content"] = "omit"  # bodies never reach the HAR
    return kwargs


def _load_storage_state(context, path: str) -> None:
    state = json.loads(Path(path).read_text(encoding="utf-8"))
    if state.get("cookies"):
        context.add_cookies(state["cookies"])
    origins = state.get("origins") or []
    if origins:
        # localStorage of a saved login is restored by an init script per origin.
        script = "(() => { const o = %s; const s = o[location.origin];" \
                 " if (s) for (const [k, v] of s) { try { localStorage.setItem(k, v); } catch (e) {} } })();" % json.dumps(
                     {o["origin"]: [[i["name"], i["value"]] for i in o.get("localStorage", [])] for o in origins})
        context.add_init_script(script)


def browser_version(context) -> str:
    try:
        return context.browser.version if context.browser else ""
    except Exception:
        return ""
