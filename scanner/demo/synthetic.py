"""Generated SYNTHETIC sites for scale tests and the nightly benchmark.

`write_sites(root, n, pages)` writes n small sites (www.scale-001.test, ...)
into `root`, to be served as an overlay of the fixture web: each page links to
every other page, sets a first-party cookie from a header and one from script,
and shows a plain consent banner whose "accept" loads a third-party pixel that
sets a cookie. `write_config` lists them in a cookiescan.toml with the
banner's selectors. These are test fixtures, not measurements of any site.
"""
from __future__ import annotations

from pathlib import Path

TRACKER = "pixel.engine-tracker.test"  # a host the fixture web already serves (/__pixel sets cookies)

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{host} page {n}</title>
<!-- SYNTHETIC generated page (scanner/demo/synthetic.py) -->
<script>
document.cookie = "ui_pref=compact; Max-Age=2592000; Path=/";
function loadTracker() {{
  var img = new Image();
  img.src = "https://{tracker}/__pixel?c=" + encodeURIComponent("trk_uid=1; Max-Age=31536000; SameSite=None; Secure");
  document.body.appendChild(img);
}}
function choose(accepted) {{
  document.cookie = "consent=" + (accepted ? "yes" : "no") + "; Max-Age=15552000; Path=/";
  document.getElementById("banner").remove();
  if (accepted) loadTracker();
}}
window.addEventListener("DOMContentLoaded", function () {{
  if (document.cookie.indexOf("consent=yes") >= 0) {{ document.getElementById("banner").remove(); loadTracker(); }}
  else if (document.cookie.indexOf("consent=no") >= 0) {{ document.getElementById("banner").remove(); }}
}});
</script></head>
<body>
<div id="banner" role="dialog" aria-label="Cookies">We use cookies.
  <button id="accept" onclick="choose(true)">Accept all</button>
  <button id="reject" onclick="choose(false)">Reject all</button></div>
<h1>{host}: page {n}</h1>
<nav>{links}</nav>
</body></html>
"""


def site_host(index: int) -> str:
    return f"www.scale-{index:03d}.test"


def write_sites(root: Path, n_sites: int, pages: int) -> list[str]:
    """Write the sites under root/<host>/; returns their hostnames."""
    hosts = []
    for i in range(1, n_sites + 1):
        host = site_host(i)
        folder = Path(root) / host
        folder.mkdir(parents=True, exist_ok=True)
        names = ["index.html"] + [f"p{n}.html" for n in range(1, pages)]
        links = " ".join(f'<a href="/{name if name != "index.html" else ""}">{name}</a>' for name in names)
        for n, name in enumerate(names):
            (folder / name).write_text(_PAGE.format(host=host, n=n, links=links, tracker=TRACKER), encoding="utf-8")
            (folder / f"{name}.headers").write_text(
                f"Set-Cookie: sid_{i:03d}=s{n}; Path=/; HttpOnly; Secure; SameSite=Lax\n", encoding="utf-8")
        hosts.append(host)
    return hosts


def write_config(path: Path, hosts: list[str], pages: int, extra: str = "") -> Path:
    """A cookiescan.toml for the generated sites (`extra` is appended: more [[site]] tables)."""
    lines = ["# SYNTHETIC generated sites (scanner/demo/synthetic.py)", "[defaults]", f"pages = {pages}",
             'fail_on = "high"', ""]
    for host in hosts:
        lines += ["[[site]]", f'name = "{host}"', f'start_url = "https://{host}/"', 'accept_selector = "#accept"',
                  'reject_selector = "#reject"', ""]
    Path(path).write_text("\n".join(lines) + extra, encoding="utf-8")
    return Path(path)
