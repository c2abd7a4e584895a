"""The Revise tab's handlers called directly over a fake ``Studio`` (no server): streamed
updates are throttled, the text the writer typed is kept, domain errors become
``gr.Error`` and the status lines say what happened."""

from dataclasses import dataclass, field
from types import SimpleNamespace

import gradio as gr
import pytest

from itune_core.errors import InvalidText
from itune_core.reviser import ReviseProgress
from services.errors import PermissionDenied
from ui import build_ui
from ui.revise_tab import RevisionHandlers, StreamThrottle, kept_text

ADA = gr.Request(username="ada")
SKIP = gr.skip()


def _view(revision_id=7, final_text="He goes.", **extra) -> dict:
    return {
        "revision_id": revision_id,
        "source": "He go.",
        "edits": [],
        "adapter": "itune-default",
        "model": "smollm2",
        "latency_ms": 900,
        "final_text": final_text,
        **extra,
    }


@dataclass
class FakeStudio:
    """Records each call; ``revise`` streams ``updates`` then the view (or raises)."""

    updates: list[ReviseProgress] = field(default_factory=list)
    adapter: str | None = "itune-default"
    routes: list = field(default_factory=list)
    follow_ups: list = field(default_factory=list)
    leads: list = field(default_factory=list)
    found: list[dict] = field(default_factory=list)
    error: Exception | None = None
    calls: list[tuple] = field(default_factory=list)

    def _answer(self, name, *args, **kwargs):
        self.calls.append((name, args, kwargs))
        if self.error is not None:
            raise self.error

    def serving(self):
        self._answer("serving")
        return self.adapter

    def serving_routes(self):
        return self.routes

    def serving_follow_ups(self):
        return self.follow_ups

    def serving_leads(self):
        return self.leads

    def suggest(self, text, *, user=None):
        self._answer("suggest", text, user=user)
        return self.found

    def revise(self, text, intentions, *, session_id=None, user=None, parent_id=None):
        self._answer("revise", text, intentions, user=user, parent_id=parent_id)
        for progress in self.updates:
            yield progress, None
        yield self.updates[-1], _view(final_text=text.upper())

    def decide(self, revision_id, position, decision, *, reason=None, typed_text=None, user=None):
        self._answer(
            "decide", revision_id, position, decision, reason=reason, typed=typed_text, user=user
        )
        return _view(revision_id, final_text=typed_text or "decided")

    def decide_many(self, revision_id, positions, decision, *, intention, typed_text, user):
        self._answer(
            "decide_many",
            revision_id,
            positions,
            decision,
            intention=intention,
            typed=typed_text,
            user=user,
        )
        return _view(revision_id, final_text=typed_text or "decided")

    def save_final(self, revision_id, text, *, user=None):
        self._answer("save_final", revision_id, text, user=user)
        return _view(revision_id, final_text=text)

    def rate(self, revision_id, rating, *, user=None):
        self._answer("rate", revision_id, rating, user=user)
        return _view(revision_id, rating=rating)


class Clock:
    """A clock that reads the given times in turn."""

    def __init__(self, *times: float) -> None:
        self.times = list(times)

    def __call__(self) -> float:
        return self.times.pop(0)


def test_throttle_shows_each_new_piece_at_once():
    throttle = StreamThrottle(interval=1.0, clock=Clock(0.0, 0.1, 0.2))
    assert [throttle.due(n) for n in (0, 1, 2)] == [True, True, True]


def test_throttle_holds_updates_of_the_same_piece_within_the_interval():
    throttle = StreamThrottle(interval=1.0, clock=Clock(0.0, 0.5, 0.99, 1.0, 1.5))
    assert [throttle.due(3) for _ in range(5)] == [True, False, False, True, False]


def test_a_follow_up_pass_is_named_in_the_progress_line():
    updates = [
        ReviseProgress(2, 2, "He goes. We go."),
        ReviseProgress(1, 2, "He goes. We go.", follow_up="clarity"),
    ]
    shown = list(RevisionHandlers(FakeStudio(updates=updates)).revise("x", ["fluency"], ADA))
    assert [line for _, _, line, _, _ in shown[:2]] == [
        "Revising… 2 of 2 sentence(s) done",
        "Revising again for clarity… 1 of 2 sentence(s) done",
    ]


def test_stream_shows_progress_lines_then_the_review():
    updates = [
        ReviseProgress(0, 2, "He <go>."),
        ReviseProgress(0, 2, "He <goe"),
        ReviseProgress(1, 2, "x"),
    ]
    studio = FakeStudio(updates=updates)
    # The second update of piece 0 comes 0.05 s after the first: held back.
    handlers = RevisionHandlers(studio, clock=Clock(0.0, 0.05, 0.1))
    shown = list(handlers.revise("He go.", ["fluency"], ADA))
    assert len(shown) == 3
    result, html, line, final, state = shown[0]
    assert result is None and (final, state) == (SKIP, SKIP)
    assert "He &lt;go&gt;." in html
    assert line == "Revising… 0 of 2 sentence(s) done"
    assert shown[1][2] == "Revising… 1 of 2 sentence(s) done"
    view = shown[2][0]
    assert shown[2][3] == view["final_text"] == "HE GO." and shown[2][4] is view
    assert studio.calls[0] == (
        "revise",
        ("He go.", ["fluency"]),
        {"user": "ada", "parent_id": None},
    )


def test_stream_turns_a_domain_error_into_a_gradio_error():
    handlers = RevisionHandlers(FakeStudio(error=InvalidText("the text is empty")))
    with pytest.raises(gr.Error, match="the text is empty"):
        list(handlers.revise("", ["fluency"], ADA))


def test_revise_again_follows_the_shown_revision_with_the_typed_text():
    studio = FakeStudio(updates=[ReviseProgress(1, 1, "done")])
    handlers = RevisionHandlers(studio)
    list(handlers.revise_final_text("He goes home.", None, _view(revision_id=4), ADA))
    assert studio.calls[0] == ("revise", ("He goes home.", []), {"user": "ada", "parent_id": 4})


def test_revise_again_and_decisions_need_a_revision_first():
    handlers = RevisionHandlers(FakeStudio())
    with pytest.raises(gr.Error, match="Revise a text first"):
        list(handlers.revise_final_text("text", ["fluency"], None, ADA))
    with pytest.raises(gr.Error, match="Revise a text first"):
        handlers.accept_all(None, "text", ADA)


def test_kept_text_is_only_a_text_the_writer_changed():
    assert kept_text(_view(final_text="He goes."), "He goes.") is None
    assert kept_text(_view(final_text="He goes."), "He goes home.") == "He goes home."


def test_a_decision_keeps_the_typed_text_and_says_so(capsys):
    studio = FakeStudio()
    outputs = RevisionHandlers(studio).decide(
        _view(final_text="He goes."), "He goes home.", "reject", 2, "unnecessary", request=ADA
    )
    assert studio.calls == [
        (
            "decide",
            (7, 2, "reject"),
            {"reason": "unnecessary", "typed": "He goes home.", "user": "ada"},
        )
    ]
    assert outputs[3] == "He goes home."
    assert "Your typed changes to the final text were kept." in capsys.readouterr().out


def test_a_decision_on_the_computed_text_sends_no_typed_text(capsys):
    studio = FakeStudio()
    RevisionHandlers(studio).accept_all(_view(final_text="He goes."), "He goes.", ADA)
    assert studio.calls == [
        ("decide_many", (7, None, "accept"), {"intention": None, "typed": None, "user": "ada"})
    ]
    assert "typed changes" not in capsys.readouterr().out


def test_accepting_one_intention_decides_its_edits_and_nothing_picked_skips():
    studio = FakeStudio()
    handlers = RevisionHandlers(studio)
    assert handlers.accept_intention(_view(), "He goes.", None, ADA) == SKIP
    assert studio.calls == []
    handlers.accept_intention(_view(), "He goes.", "clarity", ADA)
    assert studio.calls[0][2]["intention"] == "clarity"
    assert studio.calls[0][1] == (7, None, "accept")


def test_reject_all_rejects_every_edit():
    studio = FakeStudio()
    RevisionHandlers(studio).reject_all(_view(), "He goes.", ADA)
    assert studio.calls[0][:2] == ("decide_many", (7, None, "reject"))


def test_what_revising_held_back_stays_in_the_status_line_after_decisions():
    """The store keeps edits and decisions, not what revising held back or left out; the
    view after a decision, a typed final text or a rating carries them over from the view
    of the same revision, so the status line still lists them with the guards' policy."""
    notes = {
        "discarded_pieces": 1,
        "held_edits": [{"before": "5", "after": "50", "reason": "changes the fact '5'"}],
        "unsure_edits": [{"before": "go", "after": "goes", "reason": "unsure"}],
    }
    handlers = RevisionHandlers(FakeStudio())
    shown = _view(**notes)
    _, _, status, _, state = handlers.decide(shown, "He goes.", "accept", 0, request=ADA)
    assert "1 edit(s) held back" in status and "changes only under *meaning-changed*" in status
    assert "1 edit(s) left out because the model was unsure" in status
    assert "1 sentence(s) left as they were" in status
    state = handlers.save_typed(state, "He went.", ADA)
    state = handlers.rate_revision(state, 4, ADA)
    assert {k: state[k] for k in notes} == notes
    _, _, status, _, _ = handlers.accept_all(state, "He went.", ADA)
    assert "1 edit(s) held back" in status


def test_a_refused_decision_becomes_a_gradio_error():
    handlers = RevisionHandlers(FakeStudio(error=PermissionDenied("not your revision")))
    with pytest.raises(gr.Error, match="not your revision"):
        handlers.decide(_view(), "He goes.", "accept", 0, request=ADA)


def test_typing_saves_only_a_changed_final_text():
    studio = FakeStudio()
    handlers = RevisionHandlers(studio)
    assert handlers.save_typed(_view(final_text="He goes."), "He goes.", ADA) == SKIP
    assert handlers.save_typed(None, "anything", ADA) == SKIP
    assert studio.calls == []
    state = handlers.save_typed(_view(final_text="He goes."), "He went.", ADA)
    assert state["final_text"] == "He went."
    assert studio.calls == [("save_final", (7, "He went."), {"user": "ada"})]


def test_rating_records_the_stars_and_thanks(capsys):
    studio = FakeStudio()
    handlers = RevisionHandlers(studio)
    assert handlers.rate_revision(_view(), None, ADA) == SKIP
    assert handlers.rate_revision(None, 4, ADA) == SKIP
    assert handlers.rate_revision(_view(), "4", ADA)["rating"] == 4
    assert studio.calls == [("rate", (7, 4), {"user": "ada"})]
    assert "Thanks: rated 4/5." in capsys.readouterr().out


def test_serving_line_names_the_adapter_the_base_model_or_the_error():
    assert RevisionHandlers(FakeStudio()).show_serving() == "Serving: adapter `itune-default`"
    assert RevisionHandlers(FakeStudio(adapter=None)).show_serving() == (
        "Serving: base model (no adapter)"
    )
    broken = RevisionHandlers(FakeStudio(error=InvalidText("registry unreadable")))
    assert broken.show_serving() == "Serving: unknown (registry unreadable)"


def test_serving_line_names_what_serves_an_intention_set_of_its_own():
    routes = [
        (("clarity",), "itune-default-clarity", None),
        (("fluency",), "itune-default-fluency", "everyday prose"),
        (("fluency", "style"), None, None),
    ]
    assert RevisionHandlers(FakeStudio(routes=routes)).show_serving() == (
        "Serving: adapter `itune-default` (clarity alone: adapter `itune-default-clarity`; "
        "fluency alone in everyday prose: adapter `itune-default-fluency`; "
        "fluency, style alone: base model)"
    )


def test_serving_line_names_the_adapters_that_lead_and_follow_on_several_intentions():
    studio = FakeStudio(
        routes=[(("clarity",), "itune-default-clarity", None)],
        follow_ups=[("clarity", "itune-default-clarity"), ("style", "itune-default-style")],
        leads=[("fluency", "itune-default-fluency")],
    )
    assert RevisionHandlers(studio).show_serving() == (
        "Serving: adapter `itune-default` (clarity alone: adapter `itune-default-clarity`; "
        "fluency among others in everyday prose: first adapter `itune-default-fluency`; "
        "clarity among others: then adapter `itune-default-clarity`; "
        "style among others: then adapter `itune-default-style`)"
    )


def test_suggest_ticks_the_found_intentions_with_their_confidences():
    found = [
        {"intention": "clarity", "confidence": 0.82},
        {"intention": "fluency", "confidence": 0.6},
    ]
    chosen, line = RevisionHandlers(FakeStudio(found=found)).suggest_intentions("He go.", ADA)
    assert chosen == ["clarity", "fluency"]
    assert (
        line == "Suggested: clarity 0.82, fluency 0.60. Adjust if you like, then press **Revise**."
    )


def test_suggest_without_a_finding_leaves_the_intentions_as_they_are():
    chosen, line = RevisionHandlers(FakeStudio()).suggest_intentions("He goes.", ADA)
    assert chosen == SKIP
    assert line.startswith("No suggestion")


def test_the_tab_leaves_the_public_endpoint_names_to_the_api():
    # Gradio names every event after its function, private ones too.
    blocks = build_ui(SimpleNamespace())  # building calls nothing on the studio
    assert sorted(blocks.get_api_info()["named_endpoints"]) == [
        "/decide",
        "/decide_all",
        "/get_revision",
        "/history",
        "/rate",
        "/revise",
        "/revise_again",
        "/revise_with",
        "/save_final",
        "/serving",
        "/suggest",
    ]
