"""The one translation of errors for the page and the HTTP API.

What the services raise on purpose (``ItuneError`` and its kinds in ``storage.errors`` and
``services.errors``, and ``ValueError`` for a bad value) becomes ``gr.Error`` with its
message, which Gradio shows the user as it is. Anything else is a fault: Gradio logs it and
the user sees a generic error, never its text. Every handler goes through here.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import gradio as gr

from itune_core.errors import ItuneError

USER_ERRORS = (ItuneError, ValueError)


@contextmanager
def shown_to_user() -> Iterator[None]:
    """Inside: an error raised on purpose reaches the user as ``gr.Error`` with its message
    (works around the body of a generator too: a stream's error ends the stream)."""
    try:
        yield
    except USER_ERRORS as err:
        raise gr.Error(str(err)) from err


def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)``, its errors raised on purpose shown to the user."""
    with shown_to_user():
        return fn(*args, **kwargs)
