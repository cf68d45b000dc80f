"""The Textual app (placeholder until the TUI lands)."""


def run_app() -> int:
    from exposure.errors import UserError

    raise UserError("the guided app is not available yet; see 'exposure --help'")
