"""The fixture web: one local HTTPS server that answers for many hostnames.

Chromium reaches it through `--host-resolver-rules="MAP * 127.0.0.1:PORT"`, so
pages are served as https://pro.doctolib.fr, https://widget.intercom.io, ...
on one machine. Everything here is SYNTHETIC: replicas modelled on the
declared policies, never measurements of the real sites.

Content lives in `web/<hostname>/`. A file `page.html` may have a sidecar
`page.html.headers` with extra response header lines (e.g. `Set-Cookie: ...`).
`web/<hostname>/index.html` answers for "/". Dynamic behaviour (hangs,
redirect loops, pixels that set cookies, the login form) is in `handlers.py`.
Files of real npm packages are served at https://cdn.jsdelivr.net/npm/<pkg>@<version>/<path>
from `web/cdn.jsdelivr.net/`: unmodified copies of the files the pages load, with each
package's licence (scripts/refresh_autoconsent.py copies them from node_modules).
"""
from __future__ import annotations

import mimetypes
import ssl
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import trustme

from scanner.demo import handlers

FIXTURES = Path(__file__).resolve().parent
WEB_ROOT = FIXTURES / "web"


class FixtureWeb:
    """Start with `with FixtureWeb() as web:`; `web.resolver_rules` goes to Chromium."""

    def __init__(self, web_root: Path = WEB_ROOT, overlay: Path | None = None):
        self.web_root = Path(web_root)
        self.overlay = Path(overlay) if overlay else None  # files here shadow web_root (to change a replica)
        self.state = handlers.ServerState()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="cookiescan-fixtureweb-")

    # -- lifecycle -------------------------------------------------------
    def start(self) -> "FixtureWeb":
        ca = trustme.CA()
        cert = ca.issue_cert("localhost", "127.0.0.1", *sorted(self.hostnames()))
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(ctx)
        web = self

        class Handler(_Handler):
            fixture = web

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.socket = ctx.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self.state.release_hangs()
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self._tmp.cleanup()

    def __enter__(self) -> "FixtureWeb":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- facts for the scanner -----------------------------------------
    @property
    def port(self) -> int:
        assert self._server, "fixture web not started"
        return self._server.server_address[1]

    @property
    def resolver_rules(self) -> str:
        return f"MAP * 127.0.0.1:{self.port}"

    def hostnames(self) -> list[str]:
        hosts = {p.name for p in self.web_root.iterdir() if p.is_dir()}
        if self.overlay and self.overlay.exists():
            hosts |= {p.name for p in self.overlay.iterdir() if p.is_dir()}
        return sorted(hosts)

    # -- content -------------------------------------------------------
    def find_file(self, host: str, path: str) -> Path | None:
        rel = path.lstrip("/")
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        roots = [self.overlay, self.web_root] if self.overlay else [self.web_root]
        for root in roots:
            base = (root / host).resolve()
            candidate = (base / rel).resolve()
            if base in candidate.parents and candidate.is_file() and not candidate.name.endswith(".headers"):
                return candidate
            if base in candidate.parents and candidate.is_dir() and (candidate / "index.html").is_file():
                return candidate / "index.html"
        return None


class _Handler(BaseHTTPRequestHandler):
    fixture: FixtureWeb
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    @property
    def host(self) -> str:
        return (self.headers.get("Host") or "").split(":")[0].lower()

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_HEAD(self) -> None:
        self._dispatch("GET")

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        self.fixture.state.record(self.host, method, self.path)
        body = b""
        if method == "POST":
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            response = handlers.handle(self.fixture, self.host, method, url, self.headers, body)
        except (BrokenPipeError, ConnectionResetError):
            return
        if response is None:
            response = self._static(url.path)
        self._send(response)

    def _static(self, path: str) -> handlers.Response:
        file = self.fixture.find_file(self.host, path)
        if file is None:
            return handlers.Response(404, b"not found", "text/plain")
        ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        headers = []
        sidecar = file.with_name(file.name + ".headers")
        if sidecar.is_file():
            for line in sidecar.read_text(encoding="utf-8").splitlines():
                if ":" in line and not line.lstrip().startswith("#"):
                    k, v = line.split(":", 1)
                    headers.append((k.strip(), v.strip()))
        return handlers.Response(200, file.read_bytes(), ctype, tuple(headers))

    def _send(self, r: handlers.Response) -> None:
        try:
            self.send_response(r.status)
            self.send_header("Content-Type", r.content_type)
            self.send_header("Content-Length", str(len(r.body)))
            self.send_header("Cache-Control", "no-store")
            for k, v in r.headers:
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(r.body)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass

