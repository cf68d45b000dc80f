"""Indicator feeds: detect a file's format, import it, keep it in the data folder."""
