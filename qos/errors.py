"""Errors with a kind: a QosError is something to tell the user plainly; anything else is a bug."""
from __future__ import annotations


class QosError(Exception):
    """A known, explainable problem (bad input, locked file, refused action)."""


class PermissionDenied(QosError):
    pass


class ValidationError(QosError):
    pass


class ConflictError(QosError):
    """Someone else saved the record after this user opened it."""


class StoreError(QosError):
    """The database cannot be opened or used (too new, damaged, on a network share, locked)."""


class DatabaseTooNew(StoreError):
    pass


class DatabaseDamaged(StoreError):
    pass


class NetworkShareRefused(StoreError):
    pass


class AuthError(QosError):
    pass


class SavedThenFailed(QosError):
    """The main change was saved (committed), then a later step failed: the message says
    what was kept, so nobody is told "nothing was saved" when something was."""
