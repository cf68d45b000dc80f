"""Parsers for what an Android phone prints: one module per kind of output.

Every parser takes text (untrusted: it came from a phone) and returns typed records;
lines it does not understand are skipped, never fatal.
"""
