"""The Revise tab: draft, intentions, streamed revision, per-edit review, final text.

``build_revise_tab`` is the layout and the wiring; every action is a short method of
``RevisionHandlers`` over ``Studio``, testable without a server. Domain errors
become ``gr.Error`` here, once. Each event has an ``api_name``; the review buttons, which
are made per edit, share the public ``decide`` endpoint's behaviour, and Suggest and
Revise again share ``/suggest`` and ``/revise_again`` (``ui.api``).
"""

import html
import time
from collections.abc import Callable, Sequence

import gradio as gr

from itune_core.confidence import REST_LESS_LIKELY
from itune_core.edits import Edit
from itune_core.errors import ItuneError
from itune_core.intentions import DESCRIPTIONS, INTENTIONS
from itune_core.reviser import ReviseProgress
from services.studio import Studio
from ui import render
from ui.errors import call, shown_to_user
from ui.queue_lanes import MODEL_LANE

REASONS = [
    ("meaning changed", "meaning-changed"),
    ("wrong intention", "wrong-intention"),
    ("ungrammatical", "ungrammatical"),
    ("unnecessary", "unnecessary"),
    ("other", "other"),
]
EXAMPLE = "He go to school yesterday and he buyed a apple."
STREAM_INTERVAL = 0.15  # seconds between streamed updates of the revision


def _session(request: gr.Request | None) -> tuple[str | None, str | None]:
    if request is None:
        return None, None
    return request.session_hash, getattr(request, "username", None)


def _serving_line(
    adapter: str | None,
    routes: Sequence[tuple[Sequence[str], str | None, str | None]] = (),
    follow_ups: Sequence[tuple[str, str]] = (),
    leads: Sequence[tuple[str, str]] = (),
) -> str:
    """``Serving: adapter `a``` and, for each intention set another adapter serves, what
    serves requests for that set alone (and about which texts, where not every text);
    for each adapter that revises first, in the default one's place, requests for its
    intention among others about everyday prose, which intention; for each adapter that
    follows the default one on requests for several intentions, which intention it revises
    for."""
    line = f"Serving: adapter `{adapter}`" if adapter else "Serving: base model (no adapter)"
    other = [
        f"{', '.join(scope)} alone{f' in {texts}' if texts else ''}: "
        + (f"adapter `{name}`" if name else "base model")
        for scope, name, texts in routes
    ]
    other += [
        f"{intention} among others in everyday prose: first adapter `{name}`"
        for intention, name in leads
    ]
    other += [f"{intention} among others: then adapter `{name}`" for intention, name in follow_ups]
    return f"{line} ({'; '.join(other)})" if other else line


def _suggestion_line(found: list[dict]) -> str:
    """The suggested intentions with their confidences, e.g. ``clarity 0.82, fluency 0.61``."""
    if not found:
        return "No suggestion: the model found nothing to change in this draft."
    listed = ", ".join(f"{s['intention']} {s['confidence']:.2f}" for s in found)
    return f"Suggested: {listed}. Adjust if you like, then press **Revise**."


def _code(text: str) -> str:
    """Writer or model text as a Markdown code span (nothing in it is interpreted)."""
    shown = " ".join(text.split())[:80] or "(nothing)"
    return "`" + shown.replace("`", "'") + "`"


def _review_outputs(view: dict):
    """(result JSON, inline HTML, status line, final text, state) for a revision view."""
    statuses = {e["position"]: e["status"] for e in view["edits"]}
    edits = [_edit(e) for e in view["edits"]]
    offered = [e["status"] for e in view["edits"] if not e.get("held")]
    taken = [e["status"] for e in view["edits"] if e.get("held")].count("accepted")
    made_with = f"adapter `{view['adapter']}`" if view["adapter"] else "no adapter (base model)"
    status = (
        f"**{len(offered)} edits** · {offered.count('accepted')} accepted"
        f" · {offered.count('rejected')} rejected · {offered.count('pending')} pending"
        f" — model `{view['model']}`, {made_with} · {view['latency_ms'] / 1000:.1f} s"
    )
    if view.get("parent_id") is not None:
        status += f" · round after revision {view['parent_id']}"
    if len(edits) > len(offered):
        status += (
            f"\n\n{len(edits) - len(offered)} suggestion(s) held back, not in the final text"
            f" unless you accept them ({taken} taken): each is listed below with why it was"
            " held back."
        )
    if view.get("discarded_pieces"):
        status += (
            f"\n\n{view['discarded_pieces']} sentence(s) left as they were: the model's answer"
            " was not a revision of them."
        )
    if view.get("held_edits"):
        status += (
            f"\n\n{len(view['held_edits'])} edit(s) held back, each with its reason: "
            f"{_listed(view['held_edits'], reason=True)}. A fact (a number, a date or a "
            "name), a negation, who a pronoun names or the time of events (present into "
            "past) changes only under *meaning-changed*; a connector such as *however* goes "
            "only when more than *fluency* is asked for, and one of two parts joined by *and*, "
            "*but*, *or* or *yet* only under *meaning-changed*; addresses, file names and "
            "code, and the writer's British or American spelling, stay as written."
        )
    if view.get("unsure_edits"):
        rest = any(e["reason"] == REST_LESS_LIKELY for e in view["unsure_edits"])
        status += (
            f"\n\n{len(view['unsure_edits'])} edit(s) left out because the model was unsure "
            f"of them{' or of the sentence without them' if rest else ''}: "
            f"{_listed(view['unsure_edits'], reason=False)}."
        )
    inline = render.inline_html(view["source"], edits, statuses)
    return view, inline, status, view["final_text"], view


# What revising found beside the edits (pieces left as written, edits held back or left
# out); the store keeps the edits and decisions, so a decision's view lacks these.
_REVISE_NOTES = ("discarded_pieces", "held_edits", "unsure_edits")


def _with_notes(new: dict, old: dict) -> dict:
    """``new`` (a view after a decision) with what revising noted in ``old``, the view of
    the same revision before it, so the status line still says what was held back."""
    if new.get("revision_id") != old.get("revision_id"):
        return new
    return {**new, **{k: old[k] for k in _REVISE_NOTES if k in old}}


def _listed(edits: list[dict], *, reason: bool, shown: int = 5) -> str:
    """The first ``shown`` edits as ``before → after`` (with their reasons), as code."""
    listed = "; ".join(
        f"{_code(e['before'])} → {_code(e['after'])}"
        + (f" ({_code(e['reason'])})" if reason else "")
        for e in edits[:shown]
    )
    more = len(edits) - shown
    return listed + (f"; and {more} more" if more > 0 else "")


def _edit_row(e: dict) -> str:
    """An edit's label in the review list; a suggestion's says why it was held back."""
    row = render.edit_row_html(e["position"], _edit(e), e["status"])
    if not e.get("held"):
        return row
    then = " Accept to put it in the final text." if e["status"] == "suggested" else ""
    return row + (
        f'<div class="itune-held"><small>held back: {html.escape(e["held"])}.{then}</small></div>'
    )


# --- handlers -------------------------------------------------------------------------------


def kept_text(view: dict, typed: str) -> str | None:
    """What the writer typed in the final text, or None where it is the computed one: only a
    text matching the last computed one follows the decisions."""
    return typed if typed != view["final_text"] else None


def progress_line(progress: ReviseProgress) -> str:
    """The status line while a revision streams."""
    done = f"{progress.pieces_done} of {progress.pieces_total} sentence(s) done"
    if progress.follow_up:
        return f"Revising again for {progress.follow_up}… {done}"
    return f"Revising… {done}"


class StreamThrottle:
    """At most one streamed update per ``interval`` seconds (and one per piece): each update
    re-sends the text, which costs the decoding thread CPU time."""

    def __init__(
        self, interval: float = STREAM_INTERVAL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.interval, self.clock = interval, clock
        self.shown, self.shown_at = -1, 0.0

    def due(self, pieces_done: int) -> bool:
        """Whether to show an update with ``pieces_done`` pieces done (and note it shown)."""
        now = self.clock()
        if pieces_done == self.shown and now - self.shown_at < self.interval:
            return False
        self.shown, self.shown_at = pieces_done, now
        return True


class RevisionHandlers:
    """The tab's event handlers over one ``Studio``; each turns domain errors into
    ``gr.Error`` and returns values for the outputs ``build_revise_tab`` wires it to (the
    review outputs: result JSON, inline HTML, status line, final text, state).

    Gradio names every event after its function, private events too: a handler named like
    one of ``ui.api``'s public endpoints (``suggest``, ``serving``, ``rate``, ...) would
    push that endpoint to ``/suggest_1``."""

    def __init__(self, studio: Studio, clock: Callable[[], float] = time.monotonic) -> None:
        self.studio = studio
        self.clock = clock

    def show_serving(self) -> str:
        """The line naming the adapter new revisions use."""
        try:
            studio = self.studio
            return _serving_line(
                studio.serving(),
                studio.serving_routes(),
                studio.serving_follow_ups(),
                studio.serving_leads(),
            )
        except ItuneError as err:
            return f"Serving: unknown ({err})"

    def suggest_intentions(self, text, request: gr.Request = None):
        """Returns (the suggested intentions ticked, or unchanged; the suggestion line)."""
        found = call(self.studio.suggest, text, user=_session(request)[1])
        chosen = [s["intention"] for s in found] if found else gr.skip()
        return chosen, _suggestion_line(found)

    def stream_revision(self, text, chosen, request, parent_id=None):
        """Revise (or revise again) and yield the review outputs as the revision streams."""
        session_id, user = _session(request)
        throttle = StreamThrottle(clock=self.clock)
        with shown_to_user():
            for progress, view in self.studio.revise(
                text, chosen or [], session_id=session_id, user=user, parent_id=parent_id
            ):
                if view is not None:
                    yield _review_outputs(view)
                elif throttle.due(progress.pieces_done):
                    html = render.plain_html(progress.text)
                    yield None, html, progress_line(progress), gr.skip(), gr.skip()

    def revise(self, text, chosen, request: gr.Request = None):
        """The Revise button and the ``/revise`` endpoint."""
        yield from self.stream_revision(text, chosen, request)

    def revise_final_text(self, typed, chosen, view, request: gr.Request = None):
        """Another round on the final text as it stands (typed changes included)."""
        if view is None:
            raise gr.Error("Revise a text first.")
        yield from self.stream_revision(typed, chosen, request, parent_id=view["revision_id"])

    def decide(
        self, view, typed, decision, position=None, reason=None, intention=None, request=None
    ):
        """Accept or reject one edit (``position``), or every edit (of one ``intention``),
        keeping what the writer typed in the final text. Returns the review outputs."""
        if view is None:
            raise gr.Error("Revise a text first.")
        keep = kept_text(view, typed)
        # The state is the browser session's; the login decides whose revision it is.
        user = _session(request)[1]
        if position is None:
            new = call(
                self.studio.decide_many,
                view["revision_id"],
                None,
                decision,
                intention=intention,
                typed_text=keep,
                user=user,
            )
        else:
            new = call(
                self.studio.decide,
                view["revision_id"],
                position,
                decision,
                reason=reason,
                typed_text=keep,
                user=user,
            )
        if keep is not None:
            gr.Info("Your typed changes to the final text were kept.")
        return _review_outputs(_with_notes(new, view))

    def accept_all(self, view, typed, request: gr.Request = None):
        return self.decide(view, typed, "accept", request=request)

    def reject_all(self, view, typed, request: gr.Request = None):
        return self.decide(view, typed, "reject", request=request)

    def accept_intention(self, view, typed, intention, request: gr.Request = None):
        """Accept every edit of the picked intention (nothing picked: nothing changes)."""
        if not intention:
            return gr.skip()
        return self.decide(view, typed, "accept", intention=intention, request=request)

    def save_typed(self, view, typed, request: gr.Request = None):
        """Keep the final text the writer typed. Returns the new state (or skips)."""
        if view is None or typed == view["final_text"]:
            return gr.skip()
        new = call(self.studio.save_final, view["revision_id"], typed, user=_session(request)[1])
        return _with_notes(new, view)

    def rate_revision(self, view, stars, request: gr.Request = None):
        """Rate the revision. Returns the new state (or skips)."""
        if view is None or stars is None:
            return gr.skip()
        new = call(self.studio.rate, view["revision_id"], int(stars), user=_session(request)[1])
        gr.Info(f"Thanks: rated {stars}/5.")
        return _with_notes(new, view)


# --- layout ---------------------------------------------------------------------------------


def build_revise_tab(
    studio: Studio, model_concurrency: int = 1
) -> tuple[list, Callable[[dict], tuple]]:
    """Declare the Revise tab inside an open ``gr.Blocks`` and wire its events to a
    ``RevisionHandlers`` over ``studio``.

    Returns:
        The review outputs and the function that fills them from a revision view, so
        another tab (History) can open a stored revision here.
    """
    h = RevisionHandlers(studio)
    private = {"api_visibility": "private"}
    model = {"concurrency_limit": model_concurrency, "concurrency_id": MODEL_LANE}
    state = gr.State(None)  # the current revision view (dict), None before the first

    with gr.Row(equal_height=False):
        with gr.Column(scale=1):
            draft = gr.Textbox(
                label="Draft",
                lines=10,
                max_lines=30,
                placeholder="Paste a sentence or a whole document…",
                value=EXAMPLE,
            )
            intentions = gr.CheckboxGroup(
                choices=[(f"{name} — {DESCRIPTIONS[name]}", name) for name in INTENTIONS],
                value=["fluency"],
                label="Revise for",
            )
            with gr.Row():
                suggest_btn = gr.Button("Suggest intentions", size="sm", scale=0, min_width=160)
                suggestion = gr.Markdown("")
            revise_btn = gr.Button("Revise", variant="primary")
            serving = gr.Markdown("")
            gr.HTML(render.legend())
        with gr.Column(scale=1):
            status = gr.Markdown("Pick intentions and press **Revise**.")
            inline = gr.HTML(label="Edits")
            with gr.Row():
                accept_all = gr.Button("Accept all", size="sm")
                reject_all = gr.Button("Reject all", size="sm")
                one_intention = gr.Dropdown(
                    list(INTENTIONS),
                    value=None,
                    label="Accept every edit of one intention",
                    scale=1,
                )
            # No copy button inside the box: Gradio puts it in the <label>, which then names
            # the button instead of the text area (no accessible name for screen readers).
            final = gr.Textbox(
                label=(
                    "Final text (edits are applied unless rejected, suggestions once accepted;"
                    " you can type here)"
                ),
                lines=6,
                interactive=True,
            )
            with gr.Row():
                copy_btn = gr.Button("Copy final text", size="sm", scale=1)
                again_btn = gr.Button(
                    "Revise again (another round on the final text; rejected edits stay out)",
                    size="sm",
                    scale=3,
                )
            rating = gr.Radio([1, 2, 3, 4, 5], label="Rate this revision", value=None)
            with gr.Accordion("Raw result (JSON, as the API returns it)", open=False):
                result = gr.JSON()

    review = [result, inline, status, final, state]

    # On every page load: an admin may have activated another adapter since.
    gr.on(None, h.show_serving, outputs=serving, **private)
    suggest_btn.click(h.suggest_intentions, [draft], [intentions, suggestion], **private, **model)
    revise_btn.click(
        h.revise,
        inputs=[draft, intentions],
        outputs=review,
        api_name="revise",
        api_description="Revise a text for a list of intentions; returns the revision JSON.",
        **model,
    ).then(h.show_serving, None, serving, **private)
    again_btn.click(
        h.revise_final_text,
        inputs=[final, intentions, state],
        outputs=review,
        api_visibility="private",  # scripts use /revise_again (ui.api), which takes the id
        **model,
    ).then(h.show_serving, None, serving, **private)
    accept_all.click(h.accept_all, [state, final], review, **private)
    reject_all.click(h.reject_all, [state, final], review, **private)
    one_intention.input(h.accept_intention, [state, final, one_intention], review, **private)

    @gr.render(inputs=state)
    def edit_rows(view):
        if not view or not view["edits"]:
            if view:
                gr.Markdown("No edits: the model left the text as it was.")
            return
        gr.Markdown("**Review each edit**")
        for e in view["edits"]:
            k = e["position"]
            with gr.Row(equal_height=True):
                gr.HTML(_edit_row(e))
                ok = gr.Button(
                    "Accept",
                    size="sm",
                    variant="primary" if e["status"] == "accepted" else "secondary",
                    min_width=80,
                    scale=0,
                )
                why = gr.Dropdown(
                    REASONS,
                    value=e["reason"],
                    label="Reason to reject (optional)",
                    show_label=True,
                    scale=0,
                    min_width=150,
                )
                no = gr.Button(
                    "Reject",
                    size="sm",
                    variant="stop" if e["status"] == "rejected" else "secondary",
                    min_width=80,
                    scale=0,
                )

            # Closures, not partials: Gradio finds the request parameter by its annotation.
            def on_accept(view, typed, request: gr.Request = None, k=k):
                return h.decide(view, typed, "accept", k, request=request)

            def on_reject(view, typed, reason, request: gr.Request = None, k=k):
                return h.decide(view, typed, "reject", k, reason, request=request)

            ok.click(on_accept, [state, final], review, **private)
            no.click(on_reject, [state, final, why], review, **private)

    final.blur(h.save_typed, [state, final], state, **private)
    copy_btn.click(
        None,
        final,
        None,
        js="(text) => { navigator.clipboard.writeText(text ?? ''); }",
        **private,
    )
    rating.input(h.rate_revision, [state, rating], state, **private)
    return review, _review_outputs


def _edit(e: dict) -> Edit:
    """An edit of a revision view (the JSON dict) as the core dataclass."""
    return Edit(
        e["type"],
        e["before"],
        e["after"],
        e["start_char_pos"],
        e["end_char_pos"],
        e["intention"],
        e["confidence"],
    )
