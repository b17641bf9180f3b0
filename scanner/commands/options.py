"""What several commands share: options spelled once, and finding the config of a site."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from scanner.config import SiteConfig, load_config, site_from_url
from scanner.history.store import DEFAULT_DB

DEFAULT_CONFIG = Path("cookiescan.toml")
DEFAULT_OUT = Path("reports")

# Commands take None for "not given" and resolve it themselves: `check` reads its default from the config.
# A string, not a Path: a PostgreSQL URL must keep its "//".
DbOption = Annotated[Optional[str], typer.Option(
    "--db", envvar="COOKIESCAN_DB",
    help=f"History: a SQLite file or postgresql://user@host/db (default {DEFAULT_DB}, or [defaults] history "
         "of the config).")]
ConfigOption = Annotated[Optional[Path], typer.Option(
    "--config", "-c", help=f"Site list (default ./{DEFAULT_CONFIG} when present).")]
OutOption = Annotated[Path, typer.Option("--out", help="Folder for scans (scan.json, screenshots, HAR) and reports.")]
ResolverOption = Annotated[Optional[str], typer.Option(
    "--host-resolver-rules", hidden=True, help="Chromium host resolver rules (fixture web).")]
InsecureOption = Annotated[bool, typer.Option("--ignore-https-errors", hidden=True,
                                              help="Accept self-signed certificates.")]
SyntheticOption = Annotated[bool, typer.Option("--synthetic", hidden=True, help="Mark scans as synthetic replicas.")]

__all__ = ["DEFAULT_CONFIG", "DEFAULT_DB", "DEFAULT_OUT", "ConfigOption", "DbOption", "InsecureOption", "OutOption",
           "ResolverOption", "SyntheticOption", "configured_site"]


def configured_site(name: str, config_path: Path | None) -> tuple[SiteConfig, Path]:
    """A site from the config when it is listed there (or the config was named), else from the URL/host
    given; with the folder its relative paths start from."""
    path = config_path or (DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None)
    if path is not None:
        config = load_config(path)
        if config_path or any(s.name == name or s.start_url.split("/")[2] == name for s in config.sites):
            return config.site(name), path.parent
    return site_from_url(name), Path(".")
