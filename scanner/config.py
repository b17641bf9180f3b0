"""Site configuration: `cookiescan.toml` lists the sites a nightly run scans.

    [defaults]
    pages = 10
    fail_on = "high"

    [[site]]
    name = "pro.doctolib.fr"
    start_url = "https://pro.doctolib.fr/"
    declared = "declared/pro.doctolib.fr"
    accept_selector = "#my-accept"      # optional consent override
    reject_selector = "#my-reject"
    [site.classify]                     # optional per-site category overrides
    "my_cookie" = "strictly_necessary"
    [site.login]                        # optional, see README "Logged-in scans"
    ...
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from scanner.common.limits import CONFIG_BYTES, read_user_text
from scanner.configschema import check as check_schema, line_of
from scanner.errors import UserError
from scanner.history.store import DEFAULT_DB

DEFAULT_DENY_PATTERNS = (
    "logout", "log-out", "signout", "sign-out", "sign_out", "deconnexion", "déconnexion",
    "abmelden", "esci", "disconnetti", "delete", "supprimer", "cancel", "annuler", "unsubscribe",
)


class ConfigError(UserError):
    """A configuration a user wrote wrong; the message names the file."""


@dataclass(frozen=True)
class LoginStep:
    action: str  # "goto" | "fill" | "click" | "wait_for_url" | "wait_for_selector"
    selector: str | None = None
    value: str | None = None  # literal, or "$ENV_NAME" / "env:ENV_NAME" read at run time
    url: str | None = None


@dataclass(frozen=True)
class LoginConfig:
    login_url: str
    username_env: str | None = None
    password_env: str | None = None
    steps: tuple[LoginStep, ...] = ()
    storage_state: str | None = None
    success_selector: str | None = None
    success_url: str | None = None
    expired_selector: str | None = None
    app_paths: tuple[str, ...] = ()
    deny_patterns: tuple[str, ...] = DEFAULT_DENY_PATTERNS
    after_reject: bool = False


@dataclass(frozen=True)
class SiteConfig:
    name: str
    start_url: str
    pages: int = 10
    declared: str | None = None
    accept_selector: str | None = None
    reject_selector: str | None = None
    classify: dict[str, str] = field(default_factory=dict)
    login: LoginConfig | None = None
    deny_patterns: tuple[str, ...] = DEFAULT_DENY_PATTERNS
    sensitive_terms: tuple[str, ...] = ()  # pages whose path/title holds one are sensitive; () = the default list
    source: str | None = None  # "cookiescan.toml:12": the site's [[site]] entry (reports locate findings there)


@dataclass(frozen=True)
class ProjectConfig:
    sites: tuple[SiteConfig, ...]
    fail_on: str = "high"
    history: str = str(DEFAULT_DB)
    baseline: str | None = None
    path: str | None = None

    def site(self, name: str) -> SiteConfig:
        for s in self.sites:
            if s.name == name or urlsplit(s.start_url).hostname == name:
                return s
        raise ConfigError(f"{self.path}: no site named {name!r} (known: {', '.join(s.name for s in self.sites)})")


def site_from_url(url: str, pages: int = 10) -> SiteConfig:
    """A site config for a bare URL given on the command line."""
    if not isinstance(url, str) or not url.strip():
        raise ConfigError(f"{url!r}: not an http(s) URL")
    url = url.strip()
    if "://" not in url:
        url = "https://" + url
    try:
        parts = urlsplit(url)
        hostname, _ = parts.hostname, parts.port  # .port raises on "host:99999"
    except ValueError as exc:
        raise ConfigError(f"{url}: not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise ConfigError(f"{url}: not an http(s) URL")
    if any(ch.isspace() or ord(ch) < 0x20 for ch in url):
        raise ConfigError(f"{url!r}: a URL cannot contain spaces or control characters")
    return SiteConfig(name=hostname, start_url=url, pages=pages)


def read_config_text(path: Path) -> str:
    """The config's text; a directory, a binary or non-UTF-8 file, a huge file: one line naming it."""
    path = Path(path)
    text = read_user_text(path, CONFIG_BYTES, "config file", ConfigError)
    if "\x00" in text:
        raise ConfigError(f"{path}:{text[:text.index(chr(0))].count(chr(10)) + 1}: a binary file, not TOML")
    return text


def load_config(path: Path) -> ProjectConfig:
    path = Path(path)
    source = read_config_text(path)
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from None
    problems = check_schema(data)
    if problems:
        first = problems[0]
        line = line_of(source, first.path)
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ConfigError(f"{path}:{line}: {first.message}{more}" if line else f"{path}: {first.message}{more}")
    defaults = data.get("defaults", {})
    sites = []
    for i, raw in enumerate(data.get("site", []), 1):
        line = line_of(source, ("site", i - 1)) or 1
        where = f"{path}:{line}: [[site]] #{i}"
        if not raw.get("start_url"):
            # Guessing https://<name>/ scanned the wrong thing without a word: the URL must be said.
            raise ConfigError(f"{where}{' ' + repr(raw['name']) if raw.get('name') else ''}: needs start_url")
        try:
            base = site_from_url(raw["start_url"], raw.get("pages", defaults.get("pages", 10)))
        except ConfigError as exc:
            at = line_of(source, ("site", i - 1, "start_url")) or line
            raise ConfigError(f"{path}:{at}: [[site]] #{i}: start_url {exc}") from None
        login = _login(raw["login"], where, path.parent) if "login" in raw else None
        sites.append(SiteConfig(
            name=raw.get("name", base.name),
            start_url=base.start_url,
            pages=base.pages,
            declared=raw.get("declared"),
            accept_selector=raw.get("accept_selector"),
            reject_selector=raw.get("reject_selector"),
            classify=dict(raw.get("classify", {})),
            login=login,
            deny_patterns=tuple(raw.get("deny_patterns", DEFAULT_DENY_PATTERNS)),
            sensitive_terms=_terms(raw.get("sensitive_terms", ()), where),
            source=f"{path}:{line}",
        ))
    return ProjectConfig(
        sites=tuple(sites),
        fail_on=defaults.get("fail_on", "high"),
        history=defaults.get("history", str(DEFAULT_DB)),
        baseline=defaults.get("baseline"),
        path=str(path),
    )


def _terms(raw, where: str) -> tuple[str, ...]:
    # The schema checked it is a list of strings; a blank one would mark every page sensitive.
    if any(not t.strip() for t in raw):
        raise ConfigError(f"{where}: sensitive_terms holds an empty word")
    from scanner.common.text import fold
    return tuple(fold(t.strip()) for t in raw)
# What each login step needs; a value may be "$ENV_NAME", "env:ENV_NAME", "$username" or "$password".
_STEP_NEEDS = {
    "goto": ("url",),
    "fill": ("selector", "value"),
    "click": ("selector",),
    "wait_for_url": ("url",),
    "wait_for_selector": ("selector",),
}


def _login(raw: dict, where: str, base: Path) -> LoginConfig:
    if "login_url" not in raw:
        raise ConfigError(f"{where}: [site.login] needs login_url")
    steps = []
    for j, s in enumerate(raw.get("steps", []), 1):
        if "action" not in s:
            raise ConfigError(f"{where}: login step {j} has no action")
        needed = _STEP_NEEDS.get(s["action"])
        if needed is None:
            raise ConfigError(f"{where}: login step {j}: action {s['action']!r} is not one of {', '.join(_STEP_NEEDS)}")
        for key in needed:
            if not s.get(key):
                raise ConfigError(f"{where}: login step {j} ({s['action']}) needs {key}")
        steps.append(LoginStep(action=s["action"], selector=s.get("selector"), value=s.get("value"), url=s.get("url")))
    if not steps and not raw.get("storage_state"):
        raise ConfigError(f"{where}: [site.login] needs steps or storage_state")
    return LoginConfig(
        login_url=raw["login_url"],
        username_env=raw.get("username_env"),
        password_env=raw.get("password_env"),
        steps=tuple(steps),
        # Like every path in the config: "~" expanded, relative to the config file.
        storage_state=str(base / Path(raw["storage_state"]).expanduser()) if raw.get("storage_state") else None,
        success_selector=raw.get("success_selector"),
        success_url=raw.get("success_url"),
        expired_selector=raw.get("expired_selector"),
        app_paths=tuple(raw.get("app_paths", ())),
        deny_patterns=tuple(raw.get("deny_patterns", DEFAULT_DENY_PATTERNS)),
        after_reject=bool(raw.get("after_reject", False)),
    )
