"""Dynamic routes of the fixture web (anything a static file cannot do).

Every route is under a path that starts with `/__` so it never collides with
replica content. `handle` returns None to fall through to static files.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

# 1x1 transparent GIF
PIXEL = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


class ServerState:
    """What the fixture web saw: lets tests assert on requests received."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str, str]] = []
        self._release = threading.Event()

    def record(self, host: str, method: str, path: str) -> None:
        with self.lock:
            self.requests.append((host, method, path))

    def wait_hang(self, seconds: float) -> None:
        self._release.wait(seconds)

    def release_hangs(self) -> None:
        self._release.set()


def handle(web, host: str, method: str, url, headers, body: bytes) -> Response | None:
    path = url.path
    query = parse_qs(url.query)
    if path == "/__hang":
        # A page that never answers within any sane timeout.
        web.state.wait_hang(120)
        return Response(200, b"<html><title>late</title></html>")
    if path == "/__redirect-loop":
        n = int(query.get("n", ["0"])[0]) + 1
        return Response(302, b"", headers=(("Location", f"/__redirect-loop?n={n}"),))
    if path == "/__pixel":
        # /__pixel?c=name=value;%20Max-Age=...;%20SameSite=None;%20Secure  (repeatable)
        return Response(200, PIXEL, "image/gif", tuple(("Set-Cookie", c) for c in query.get("c", [])))
    if path == "/__setcookie":
        # Same as the pixel, but an HTML document (for iframes).
        return Response(200, b"<!doctype html><title>frame</title><p>frame</p>", headers=tuple(
            ("Set-Cookie", c) for c in query.get("c", [])))
    if path == "/__status":
        # A page answering with any status (a 500 start page must be recorded and reported).
        code = int(query.get("code", ["500"])[0]) if query.get("code", ["500"])[0].isdigit() else 500
        return Response(code if 200 <= code < 600 else 500, f"<!doctype html><title>status {code}</title>".encode())
    if path == "/__download":
        # A link that downloads a file instead of showing a page.
        return Response(200, b"PK\x03\x04 not really a zip", "application/octet-stream",
                        (("Content-Disposition", 'attachment; filename="report.zip"'),))
    if path == "/__slow":
        time.sleep(float(query.get("s", ["1"])[0]))
        return Response(200, b"<!doctype html><title>slow</title><p>slow</p>")
    if host == "pro.doctolib.fr":
        # The replica's logged-in area: /login, /logout, /agenda*, /patients*.
        from scanner.demo import pro_app  # here, not at the top: pro_app imports Response from this module
        if pro_app.owns(path):
            return pro_app.handle(method, url, headers, body)
    if host == "www.buchbinderei-falkenau.de":
        # The untuned German fixture site's customer account: /konto/anmelden, /konto/.
        from scanner.demo import konto_app
        if konto_app.owns(path):
            return konto_app.handle(method, url, headers, body)
    return None
