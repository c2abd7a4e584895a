"""API-only endpoints (``gradio_client``): the review actions by revision id and position,
Suggest, Revise again, and which adapter is serving.

The Revise tab's buttons do the same through ``Studio``; these endpoints give scripts the
actions without a browser session. Errors raised on purpose reach the caller as ``gr.Error``
with their message (``ui.errors``).

    client.predict("He go home.", api_name="/suggest")
    # [{"intention": "fluency", "confidence": 0.91}, ...]
    view = client.predict("He go home.", ["fluency"], api_name="/revise")[0]
    again = client.predict(view["final_text"], ["fluency"], view["revision_id"],
                           api_name="/revise_again")
    client.predict(api_name="/serving")  # "fluency-v2", or None for the base model

``/revise_again`` is a plain function, not a stream (the Revise tab's button streams the
same round): it returns the finished revision, like ``/revise``'s final value. The
endpoints that run the model share the Revise button's queue (one at a time).
"""

import gradio as gr

from services.studio import Studio
from ui.errors import call, shown_to_user
from ui.queue_lanes import MODEL_LANE


def _user(request: gr.Request | None) -> str | None:
    return getattr(request, "username", None) if request is not None else None


def register_api(studio: Studio, model_concurrency: int = 1) -> None:
    """Declare the API endpoints inside an open ``gr.Blocks`` (``model_concurrency``: the
    requests that may use the model at once, shared with the Revise tab's)."""

    def suggest(text: str, request: gr.Request = None) -> list[dict]:
        """Which intentions a draft needs, most confident first: a list of {intention,
        confidence 0-1} from the serving adapter's intention predictor (an error when it
        has none). Nothing is recorded."""
        return call(studio.suggest, text, user=_user(request))

    def revise_again(
        text: str, intentions: list[str], parent_id: int, request: gr.Request = None
    ) -> dict:
        """Another round on a revision's result (text: usually its final_text; parent_id:
        its revision_id): edits rejected anywhere in that lineage are not suggested
        again. Returns the new revision, which records parent_id."""
        session_id = request.session_hash if request is not None else None
        user = _user(request)
        rounds = studio.revise(
            text, intentions, session_id=session_id, user=user, parent_id=parent_id
        )
        with shown_to_user():
            *_, (_, view) = rounds
        return view

    def revise_with(
        text: str, intentions: list[str], adapter: str, request: gr.Request = None
    ) -> dict:
        """Revise with the registered adapter named here (``"base"``: the base model)
        rather than the active one, e.g. to compare adapters; concurrent requests naming
        different adapters each get their own. Returns the new revision, which records the
        adapter's name."""
        session_id = request.session_hash if request is not None else None
        rounds = studio.revise(
            text, intentions, session_id=session_id, user=_user(request), adapter=adapter
        )
        with shown_to_user():
            *_, (_, view) = rounds
        return view

    def serving() -> str | None:
        """The adapter new revisions are made with (null: the base model)."""
        return call(studio.serving)

    for fn in (suggest, revise_again, revise_with):
        gr.api(
            fn,
            api_name=fn.__name__,
            concurrency_limit=model_concurrency,
            concurrency_id=MODEL_LANE,
        )

    def decide(
        revision_id: int,
        position: int,
        decision: str,
        reason: str | None = None,
        note: str | None = None,
        request: gr.Request = None,
    ) -> dict:
        """Accept or reject one edit (decision: accept|reject; reason, with reject only:
        meaning-changed|wrong-intention|ungrammatical|unnecessary|other). A suggestion (an
        edit with status "suggested" and a "held" reason) joins the final text only once
        accepted. Returns the revision with its final text."""
        return call(
            studio.decide,
            revision_id,
            position,
            decision,
            reason=reason,
            note=note,
            user=_user(request),
        )

    def decide_all(
        revision_id: int, decision: str, intention: str | None = None, request: gr.Request = None
    ) -> dict:
        """Accept or reject every edit offered in a revision, or every one of one
        intention; suggestions are left as they are (decide them one by one)."""
        return call(
            studio.decide_many,
            revision_id,
            None,
            decision,
            intention=intention,
            user=_user(request),
        )

    def save_final(revision_id: int, text: str, request: gr.Request = None) -> dict:
        """Store the final text as the writer typed it."""
        return call(studio.save_final, revision_id, text, user=_user(request))

    def rate(revision_id: int, rating: int, request: gr.Request = None) -> dict:
        """Rate a revision from 1 to 5."""
        return call(studio.rate, revision_id, rating, user=_user(request))

    def get_revision(revision_id: int, request: gr.Request = None) -> dict:
        """A stored revision with its edits, decisions and final text."""
        return call(studio.get, revision_id, user=_user(request))

    def history(limit: int = 50, request: gr.Request = None) -> list[dict]:
        """The caller's latest revisions, newest first (id, time, text preview, counts,
        rating); with no users configured, every revision."""
        return call(studio.history, user=_user(request), limit=limit)

    for fn in (decide, decide_all, save_final, rate, get_revision, history, serving):
        gr.api(fn, api_name=fn.__name__)
