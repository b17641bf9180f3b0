"""The logged-in area of the pro.doctolib.fr replica (SYNTHETIC).

A login form, an agenda and a patients area behind a session cookie, and a
logout link that ends the session. The app cookies are those of the seed
cookie table (seed 000) with the lifetimes it declares, except one planted
discrepancy: `pin_login` asks for 13 months where the table declares 3 Mois.
(`ssid`, the table's browser id, is set by the public pages already.)

Accounts (fixed, test only; tests pass them through COOKIESCAN_TEST_USER /
COOKIESCAN_TEST_PASSWORD as CI would):
  praticien@example.test      logs in
  praticien-2fa@example.test  same password, then a two-factor prompt
  robot@example.test          same password, then a captcha
Any other pair gets "Identifiants incorrects".

App pages are static files under web/pro.doctolib.fr/{agenda,patients}; this
module only gates them: no session cookie -> redirect to /login, a session
cookie the server did not sign -> /login?expired=1 ("session expired").
"""
from __future__ import annotations

import hashlib
import hmac
import html
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, quote

from scanner.demo.handlers import Response

HOST = "pro.doctolib.fr"
TEST_USER = "praticien@example.test"
TEST_PASSWORD = "correct-horse-battery-staple"
TWO_FACTOR_USER = "praticien-2fa@example.test"
CAPTCHA_USER = "robot@example.test"
SESSION_COOKIE = "_doctolib_session"

# Signs session tokens so a token from another server run (or a forged one) reads as expired.
_SIGNING_KEY = b"cookiescan-fixture-only"
_THIRTEEN_MONTHS_S = 390 * 86400  # thirteen 30-day months: a fixture value, just under the legal cap
_APP_PREFIXES = ("/agenda", "/patients")


def owns(path: str) -> bool:
    return path in ("/login", "/logout") or any(path == p or path.startswith(p + "/") for p in _APP_PREFIXES)


def handle(method: str, url, headers, body: bytes) -> Response | None:
    path = url.path
    query = parse_qs(url.query)
    if path == "/login" and method == "POST":
        return _login_post(parse_qs(body.decode("utf-8", "replace")))
    if path == "/login":
        return _login_form(expired="expired" in query, next_path=_safe_next(query))
    if path == "/logout":
        return Response(302, b"", headers=(
            ("Set-Cookie", f"{SESSION_COOKIE}=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax"),
            ("Location", "/login")))
    session = _session_cookie(headers)
    if session is None:
        return Response(302, b"", headers=(("Location", "/login?next=" + quote(path)),))
    if not _valid(session):
        return Response(302, b"", headers=(("Location", "/login?expired=1"),))
    return None  # signed in: the static page answers (agenda/index.html.headers sets esid)


def new_session_token() -> str:
    token = secrets.token_hex(16)
    return f"s.{token}.{_sign(token)}"


def _sign(token: str) -> str:
    return hmac.new(_SIGNING_KEY, token.encode(), hashlib.sha256).hexdigest()[:16]


def _valid(session: str) -> bool:
    parts = session.split(".")
    return len(parts) == 3 and parts[0] == "s" and hmac.compare_digest(parts[2], _sign(parts[1]))


def _session_cookie(headers) -> str | None:
    jar = SimpleCookie()
    try:
        jar.load(headers.get("Cookie") or "")
    except Exception:
        return None
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel and morsel.value else None


def _safe_next(query) -> str:
    nxt = query.get("next", ["/agenda"])[0]
    return nxt if owns(nxt) and nxt.startswith(_APP_PREFIXES) else "/agenda"


def _login_post(form: dict) -> Response:
    email = form.get("email", [""])[0].strip().lower()
    password = form.get("password", [""])[0]
    nxt = _safe_next(form) if "next" in form else "/agenda"
    if password != TEST_PASSWORD or email not in (TEST_USER, TWO_FACTOR_USER, CAPTCHA_USER):
        return _login_form(error="Identifiants incorrects", email=email, status=200)
    if email == TWO_FACTOR_USER:
        return Response(200, _page("Vérification en deux étapes", """
<h1>Vérification en deux étapes</h1>
<p>Saisissez le code de vérification reçu par SMS.</p>
<form method="post" action="/login/otp">
  <label for="otp">Code</label>
  <input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code">
  <button type="submit">Valider</button>
</form>"""))
    if email == CAPTCHA_USER:
        return Response(200, _page("Vérification", """
<h1>Vérifiez que vous n'êtes pas un robot</h1>
<div class="h-captcha" data-sitekey="10000000-ffff-ffff-ffff-000000000001" style="width:300px;height:80px;border:1px solid #ccc"></div>"""))
    cookie = "Path=/; Secure; SameSite=Lax"
    return Response(303, b"", headers=(
        ("Set-Cookie", f"{SESSION_COOKIE}={new_session_token()}; {cookie}; HttpOnly"),
        # PLANTED: the seed table declares pin_login "3 Mois"; it asks for 13 months.
        ("Set-Cookie", f"pin_login={secrets.token_hex(6)}; Max-Age={_THIRTEEN_MONTHS_S}; {cookie}"),
        ("Location", nxt),
    ))


def _login_form(*, error: str | None = None, expired: bool = False, email: str = "",
                next_path: str = "/agenda", status: int = 200) -> Response:
    notice = ""
    if expired:
        notice = '<p class="session-expired" role="status">Votre session a expiré, veuillez vous reconnecter.</p>'
    if error:
        notice += f'<p class="error" role="alert">{html.escape(error)}</p>'
    return Response(status, _page("Connexion - Doctolib Pro", f"""
<h1>Connexion à Doctolib Pro</h1>
{notice}
<form id="login-form" method="post" action="/login">
  <input type="hidden" name="next" value="{html.escape(next_path)}">
  <label for="email">Adresse e-mail</label>
  <input id="email" name="email" type="email" autocomplete="username" value="{html.escape(email)}">
  <label for="password">Mot de passe</label>
  <input id="password" name="password" type="password" autocomplete="current-password">
  <button id="login-submit" type="submit">Se connecter</button>
</form>"""))


def _page(title: str, body: str) -> bytes:
    return (f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'</head><body><!-- SYNTHETIC replica for cookiescan tests -->{body}</body></html>').encode()
