"""Domain errors of the core, translated once at the edge (``ui.errors`` for the UI and
the API, a one-line message and a non-zero exit in the CLI). Bad configuration raises plain
ValueError. The storage and service layers add their own (``storage.errors``,
``services.errors``), all subclasses of ``ItuneError``."""


class ItuneError(Exception):
    """Base class of every error the project raises on purpose."""


class InvalidText(ItuneError):
    """The text to revise is empty, whitespace only, or over the configured limit."""


class UnknownIntention(ItuneError):
    """An intention outside the supported set was asked for."""


class InvalidDecision(ItuneError):
    """A decision, reason or rating outside the allowed values."""


class ModelLoadError(ItuneError):
    """A model or adapter could not be found or loaded."""
