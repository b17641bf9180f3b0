"""Thin typer commands, one module per stage of the pipeline; each exposes `register(app)`, which adds
its module-level command functions (`app.command(name)(function)`). Options several commands share
are declared once in options.py."""
