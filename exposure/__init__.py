"""exposure: a personal surveillance-exposure checker."""

__version__ = "0.1.0"
