"""Subcommands of the ``exposure`` command, one module each.

Each module has ``HELP`` (one line for ``exposure --help``), ``add_arguments(parser)``
and ``run(args) -> int``. Modules import heavy libraries inside ``run`` only.
"""
