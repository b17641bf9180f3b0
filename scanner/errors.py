"""Errors a user can cause. The CLI prints them in one line and exits 2."""


class UserError(Exception):
    """Bad input: the message names the file, line or URL at fault."""
