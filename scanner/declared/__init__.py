"""The declared side: what a site says it sets (cookie table) and who processes data for it.

Public API:
- `import_document(path, site)` / `import_report(...)`: a policy document → DeclaredSite;
- `write_declared(site, site_dir)`, `load_declared(site_dir)`, `find_declared(site, root)`;
- `validate(root)` → list[Problem] (file, line, message, severity);
- `compare_subprocessors(a, b)` → list[SubprocessorDifference].
"""
from __future__ import annotations

import importlib

# Where each public name lives. Loaded on first use: `cookiescan explain` needs only
# declared.families, and must not pay for the importer and pandas (compare, vendors) at start-up.
_HOME = {
    "SubprocessorDifference": "compare", "compare_subprocessors": "compare", "country_code": "compare",
    "DocumentError": "document", "read_document": "document",
    "ImportReport": "importer", "import_document": "importer", "import_report": "importer",
    "DeclaredFileError": "sitefiles", "Problem": "sitefiles", "find_declared": "sitefiles",
    "load_declared": "sitefiles", "read_site": "sitefiles", "site_dirs": "sitefiles", "validate": "sitefiles",
    "write_declared": "sitefiles",
}


def __getattr__(name: str):
    if name in _HOME:
        return getattr(importlib.import_module(f"scanner.declared.{_HOME[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DeclaredFileError", "DocumentError", "ImportReport", "Problem", "SubprocessorDifference",
    "compare_subprocessors", "country_code", "find_declared", "import_document", "import_report",
    "load_declared", "read_document", "read_site", "site_dirs", "validate",
    "write_declared",
]
