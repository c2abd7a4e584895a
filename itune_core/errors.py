"""Domain errors of the core, translated once at the edge (gr.Error in the UI, a one-line
message and a non-zero exit in the CLI). Bad configuration raises plain ValueError."""


class ItuneError(Exception):
    """Base class of every error the core raises on purpose."""


class InvalidText(ItuneError):
    """The text to revise is empty, whitespace only, or over the configured limit."""


class UnknownIntention(ItuneError):
    """An intention outside the supported set was asked for."""


class EditNotFound(ItuneError):
    """A decision names an edit (or revision) that does not exist."""


class InvalidDecision(ItuneError):
    """A decision, reason or rating outside the allowed values."""


class ModelLoadError(ItuneError):
    """A model or adapter could not be found or loaded."""


class RecordNotFound(ItuneError):
    """A user, training run, adapter or evaluation that does not exist."""


class InvalidState(ItuneError):
    """An action its record's current state forbids: cancelling a finished run, deleting
    the active adapter, a user name that is taken."""


class PermissionDenied(ItuneError):
    """The user may not do this (not logged in, or an admin action by a non-admin)."""


class StorageUnavailable(ItuneError):
    """The database is locked by another writer for too long, or cannot be reached; the
    transaction was rolled back, so nothing of the action was saved."""
