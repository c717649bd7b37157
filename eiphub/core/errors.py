"""The one coded error base of EIP Hub.

A coded error carries a machine ``code`` (the web layer renders it with gettext), the
``params`` that phrase it, and an English ``message`` for logs and the CLI.  Every error
class that reports a code inherits :class:`CodedError` (or :class:`LocatedError` when it
names a file/row/column/field) instead of pasting its own ``__init__``; a class that phrases
its message differently overrides :meth:`CodedError.describe`.  ``core/tests/test_errors.py``
fails when a class re-pastes such a constructor.  Pure Python: no Django.
"""

from __future__ import annotations


class CodedError(Exception):
    """``CodedError(code, message="", **params)``; ``str(err)`` is the described message
    (the code when there is no message)."""

    def __init__(self, code: str, message: str = "", /, **params):
        self.code = code
        self.params = params
        super().__init__(self.describe(message or code))

    def describe(self, message: str) -> str:
        """The message as ``str(err)`` shows it; subclasses add where it happened."""
        return message

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class LocatedError(CodedError):
    """A coded error that says where: ``file``, ``row``, ``column``, ``field`` (each optional,
    kept as attributes, not in ``params``).  The message reads
    "file, row 3, column 'unit': message"."""

    LOCATION = ("file", "row", "column", "field")

    def __init__(self, code: str, message: str = "", /, **params):
        file = params.pop("file", None)
        self.file = str(file) if file else None
        self.row = params.pop("row", None)
        self.column = params.pop("column", None)
        self.field = params.pop("field", None)
        super().__init__(code, message, **params)

    def describe(self, message: str) -> str:
        where = ", ".join(
            x
            for x in (
                self.file or "",
                f"row {self.row}" if self.row is not None else "",
                f"column '{self.column}'" if self.column else "",
                f"field '{self.field}'" if self.field else "",
            )
            if x
        )
        return f"{where}: {message}" if where else message
