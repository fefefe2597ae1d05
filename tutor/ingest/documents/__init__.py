"""Readers that turn a course file into a ``Document``: its text and typed blocks (``blocks.py``), one module per
format."""
