"""cookiescan: what a website really drops, reconciled with what it declares."""

__version__ = "0.1.0"
