"""The declared side: what a site says it sets (cookie table) and who processes data for it.

Public API:
- `import_document(path, site)` / `import_report(...)`: a policy document → DeclaredSite;
- `write_declared(site, site_dir)`, `load_declared(site_dir)`, `find_declared(site, root)`;
- `validate(root)` → list[Problem] (file, line, message, severity);
- `compare_subprocessors(a, b)` → list[SubprocessorDifference].
"""
from scanner.declared.compare import SubprocessorDifference, compare_subprocessors, country_code
from scanner.declared.document import DocumentError, read_document
from scanner.declared.importer import ImportReport, import_document, import_report
from scanner.declared.sitefiles import (DeclaredFileError, Problem, find_declared, load_declared, read_site, site_dirs,
                        validate, write_declared)

__all__ = [
    "DeclaredFileError", "DocumentError", "ImportReport", "Problem", "SubprocessorDifference",
    "compare_subprocessors", "country_code", "find_declared", "import_document", "import_report",
    "load_declared", "read_document", "read_site", "site_dirs", "validate",
    "write_declared",
]
