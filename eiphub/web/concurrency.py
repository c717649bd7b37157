"""Optimistic concurrency for edits (issue 18): an edit names the ``version`` it read; the
save locks the row, refuses a stale version (409 / form message) and bumps the version.
Models opt in with ``version = PositiveIntegerField(default=1)``."""

from __future__ import annotations

from django.utils.translation import gettext as _


class StaleEdit(Exception):
    """The record changed since the editor read it."""

    status = 409

    def __init__(self):
        super().__init__(
            _("Someone else changed this record meanwhile. Reload it and apply your change again.")
        )
        self.message = str(self)


def claim_version(model, pk: int, read_version) -> int:
    """Lock ``model`` row ``pk`` (inside the caller's transaction); raise StaleEdit unless its
    version is ``read_version``; return the next version to save."""
    current = model.objects.select_for_update().filter(pk=pk).values_list("version", flat=True)
    current = current.first()
    if read_version in (None, "") and current is not None:
        return current + 1  # a client that does not send the version (older forms): last write
    try:
        read = int(read_version)
    except (TypeError, ValueError):
        raise StaleEdit()
    if current is None or current != read:
        raise StaleEdit()
    return current + 1
