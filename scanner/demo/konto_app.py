"""The customer account of the www.buchbinderei-falkenau.de fixture site (SYNTHETIC, untuned tests).

A login form at /konto/anmelden, the account at /konto/ behind a session cookie. Static
pages live under web/<host>/konto/; this module only answers the form and gates /konto/.
Account (fixed, test only): kundin@example.test / falz-und-leim-2024.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from scanner.demo.handlers import Response

HOST = "www.buchbinderei-falkenau.de"
TEST_USER = "kundin@example.test"
TEST_PASSWORD = "falz-und-leim-2024"
SESSION_COOKIE = "konto_session"
_KEY = b"cookiescan-fixture-only-konto"

_FORM = """<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Anmelden – Buchbinderei Falkenau</title>
<!-- SYNTHETIC fixture site (cookiescan untuned fixture web). --></head><body>
<h1>Anmelden</h1>{error}
<form method="post" action="/konto/anmelden">
<label>E-Mail <input id="email" name="email" type="email"></label>
<label>Passwort <input id="passwort" name="passwort" type="password"></label>
<button id="anmelden" type="submit">Anmelden</button></form></body></html>"""


def owns(path: str) -> bool:
    return path == "/konto/anmelden" or path == "/konto" or path.startswith("/konto/")


def handle(method: str, url, headers, body: bytes) -> Response | None:
    if url.path == "/konto/anmelden":
        if method != "POST":
            return Response(200, _FORM.format(error="").encode())
        form = parse_qs(body.decode("utf-8", "replace"))
        if form.get("email", [""])[0] == TEST_USER and form.get("passwort", [""])[0] == TEST_PASSWORD:
            token = secrets.token_hex(16)
            cookie = f"{SESSION_COOKIE}={token}.{_sign(token)}; Path=/; Secure; HttpOnly; SameSite=Lax"
            return Response(303, b"", headers=(("Set-Cookie", cookie), ("Location", "/konto/")))
        return Response(200, _FORM.format(error="<p id='fehler'>Anmeldedaten falsch</p>").encode())
    if not _signed_in(headers):
        return Response(302, b"", headers=(("Location", "/konto/anmelden"),))
    return None  # signed in: the static account pages


def _sign(token: str) -> str:
    return hmac.new(_KEY, token.encode(), hashlib.sha256).hexdigest()[:16]


def _signed_in(headers) -> bool:
    jar = SimpleCookie()
    try:
        jar.load(headers.get("Cookie", "") or "")
    except Exception:  # a malformed Cookie header is simply "not signed in"
        return False
    morsel = jar.get(SESSION_COOKIE)
    if morsel is None or "." not in morsel.value:
        return False
    token, signature = morsel.value.rsplit(".", 1)
    return hmac.compare_digest(signature, _sign(token))
