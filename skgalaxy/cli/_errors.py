"""The error every part of the command raises to report a failure in one line."""


class CLIError(Exception):
    """An error the command reports in one line (no traceback)."""
