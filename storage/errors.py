"""What storage refuses or cannot do; the edge translates them with the core's errors
(they share ``itune_core.errors.ItuneError``)."""

from itune_core.errors import ItuneError


class RecordNotFound(ItuneError):
    """A revision or one of its edits, a user, a training run, an adapter or an evaluation
    that does not exist."""


class InvalidState(ItuneError):
    """An action its record's current state forbids: cancelling a finished run, deleting
    the active adapter, a user name that is taken."""


class StorageUnavailable(ItuneError):
    """The database is locked by another writer for too long, or cannot be reached; the
    transaction was rolled back, so nothing of the action was saved."""
