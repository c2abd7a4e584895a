"""API-only endpoints (``gradio_client``): the review actions by revision id and position.

The Revise tab's buttons do the same through ``Studio``; these endpoints give scripts the
actions without a browser session. Domain errors become ``gr.Error`` with the message.
"""

import gradio as gr

from itune_core.errors import ItuneError
from ui.studio import Studio


def _call(fn, *args, **kwargs) -> dict:
    try:
        return fn(*args, **kwargs)
    except ItuneError as err:
        raise gr.Error(str(err)) from err


def register_api(studio: Studio) -> None:
    """Declare the API endpoints inside an open ``gr.Blocks``."""

    def decide(
        revision_id: int,
        position: int,
        decision: str,
        reason: str | None = None,
        note: str | None = None,
    ) -> dict:
        """Accept or reject one edit (decision: accept|reject; reason, with reject only:
        meaning-changed|wrong-intention|ungrammatical|unnecessary|other). Returns the
        revision with its final text."""
        return _call(studio.decide, revision_id, position, decision, reason=reason, note=note)

    def decide_all(revision_id: int, decision: str, intention: str | None = None) -> dict:
        """Accept or reject every edit of a revision, or every edit of one intention."""
        return _call(studio.decide_many, revision_id, None, decision, intention=intention)

    def save_final(revision_id: int, text: str) -> dict:
        """Store the final text as the writer typed it."""
        return _call(studio.save_final, revision_id, text)

    def rate(revision_id: int, rating: int) -> dict:
        """Rate a revision from 1 to 5."""
        return _call(studio.rate, revision_id, rating)

    def get_revision(revision_id: int) -> dict:
        """A stored revision with its edits, decisions and final text."""
        return _call(studio.get, revision_id)

    def history(limit: int = 50) -> list[dict]:
        """The latest revisions, newest first (id, time, text preview, counts, rating)."""
        try:
            return studio.history(limit=limit)
        except ValueError as err:
            raise gr.Error(str(err)) from err

    for fn in (decide, decide_all, save_final, rate, get_revision, history):
        gr.api(fn, api_name=fn.__name__)
