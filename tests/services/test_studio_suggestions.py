"""Held-back edits offered as suggestions: stored with the revision, out of the final text
until the writer accepts one, left alone by "Accept all", and never offered again once
rejected (a fake reviser over a temporary SQLite store)."""

from dataclasses import dataclass, field

import pytest

from itune_core.edits import HeldEdit, compute_edits
from itune_core.reviser import ReviseProgress, Revision
from itune_core.suggestions import suggestions
from services.studio import Studio
from storage.store import Store

DRAFT = "These finding suggest that 16 people go home."
PROPOSED = "This finding suggests that 20 people go home."
OFFERED = "This finding suggest that 16 people go home."
UNSURE = HeldEdit("suggest", "suggests", "the model was unsure (margin 0.31 nats)")
FACT = HeldEdit("16", "20", "changes a fact")


@dataclass
class HoldingReviser:
    """Answers ``PROPOSED`` with two edits held back, the way ``Reviser.stream`` does."""

    calls: list[str] = field(default_factory=list)

    def stream(self, text, intentions):
        self.calls.append(text)
        offered = text.replace("These", "This")
        proposed = offered.replace("suggest ", "suggests ").replace("16", "20")
        found = suggestions(text, offered, proposed, [UNSURE, FACT])
        yield ReviseProgress(0, 1, text)
        yield ReviseProgress(
            1,
            1,
            offered,
            Revision(
                source=text,
                revised=offered,
                intentions=tuple(intentions),
                edits=tuple(compute_edits(text, offered, "fluency")),
                generated_tokens=9,
                seconds=0.01,
                model="fake",
                adapter="fake-adapter",
                held_edits=(FACT,),
                unsure_edits=(UNSURE,),
                suggestions=found,
            ),
        )


@pytest.fixture
def store(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'itune.db'}")
    yield store
    store.close()


@pytest.fixture
def studio(store):
    return Studio(get_reviser=lambda *_: HoldingReviser(), store=store, max_chars=500)


def revised(studio, text=DRAFT, parent_id=None) -> dict:
    *_, (_, view) = studio.revise(text, ["fluency"], parent_id=parent_id)
    return view


def by_after(view, after: str) -> dict:
    (edit,) = [e for e in view["edits"] if e["after"] == after]
    return edit


def test_held_edits_come_back_as_suggestions_out_of_the_final_text(studio):
    view = revised(studio)
    assert view["revised"] == view["final_text"] == OFFERED
    assert [(e["before"], e["after"], e["status"], e["held"]) for e in view["edits"]] == [
        ("These", "This", "pending", None),
        ("suggest", "suggests", "suggested", UNSURE.reason),
        ("16", "20", "suggested", FACT.reason),
    ]
    # the same when read back later (History, the API's get_revision)
    assert studio.get(view["revision_id"])["edits"] == view["edits"]


def test_accepting_a_suggestion_puts_it_in_the_final_text(studio):
    view = revised(studio)
    taken = studio.decide(view["revision_id"], by_after(view, "suggests")["position"], "accept")
    assert taken["final_text"] == "This finding suggests that 16 people go home."
    assert by_after(taken, "suggests")["status"] == "accepted"
    # rejecting it again takes it out
    undone = studio.decide(view["revision_id"], by_after(view, "suggests")["position"], "reject")
    assert undone["final_text"] == OFFERED


def test_accept_all_leaves_the_suggestions_out(studio):
    view = revised(studio)
    everything = studio.decide_many(view["revision_id"], None, "accept")
    assert everything["final_text"] == OFFERED
    assert [e["status"] for e in everything["edits"]] == ["accepted", "suggested", "suggested"]
    one_intention = studio.decide_many(view["revision_id"], None, "reject", intention="fluency")
    assert one_intention["final_text"] == DRAFT
    assert [e["status"] for e in one_intention["edits"]] == ["rejected", "suggested", "suggested"]


def test_a_rejected_suggestion_is_not_offered_again(studio):
    first = revised(studio)
    studio.decide(first["revision_id"], by_after(first, "20")["position"], "reject")
    again = revised(studio, first["final_text"], parent_id=first["revision_id"])
    assert [e["after"] for e in again["edits"] if e["held"]] == ["suggests"]


def test_a_typed_final_text_is_kept_when_a_suggestion_is_accepted(studio):
    view = revised(studio)
    kept = studio.decide(
        view["revision_id"],
        by_after(view, "suggests")["position"],
        "accept",
        typed_text="My own words.",
    )
    assert kept["final_text"] == "My own words."
