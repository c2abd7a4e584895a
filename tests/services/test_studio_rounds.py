"""Studio rounds and suggestions over a fake reviser and a temporary SQLite store:
"Revise again" never re-suggests a rejected edit; Suggest ranks the predictor's labels."""

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import pytest

from itune_core.edits import Edit, compute_edits
from itune_core.errors import InvalidText
from itune_core.intentions import INTENTIONS
from itune_core.reviser import ReviseProgress, Revision
from services.errors import PermissionDenied
from services.studio import Studio
from storage.errors import InvalidState, RecordNotFound
from storage.store import Store

DRAFT = "He go to school yesterday and he buyed a apple."
ROUND_1 = "He went to school yesterday and he bought an apple."
# The writer rejected "buyed a -> bought an": the text of round 2 still has it.
KEPT_1 = "He went to school yesterday and he buyed a apple."
ROUND_2 = "He went to school yesterday, and he bought an apple."
# Round 3 starts from round 2's result, where the writer rejected the comma: KEPT_1 again.
ROUND_3 = "He went to school yesterday, and he bought an apple!"


@dataclass
class FakeReviser:
    """Answers with canned revisions, in order, the way ``Reviser.stream`` does."""

    answers: list[str]
    labeller: Callable[[str, str, list[Edit], tuple[str, ...]], list[Edit]] | None = None
    adapter_name: str | None = "fake-adapter"
    calls: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    def stream(self, text, intentions):
        self.calls.append((text, tuple(intentions)))
        revised = self.answers.pop(0)
        label = intentions[0] if len(intentions) == 1 else None
        edits = compute_edits(text, revised, label)
        if self.labeller is not None and edits and label is None:
            edits = self.labeller(text, revised, edits, tuple(intentions))
        yield ReviseProgress(0, 1, text)
        revision = Revision(
            source=text,
            revised=revised,
            intentions=tuple(intentions),
            edits=tuple(edits),
            generated_tokens=7,
            seconds=0.01,
            model="fake",
            adapter=self.adapter_name,
        )
        yield ReviseProgress(1, 1, revised, revision)

    def revise(self, text, intentions):
        *_, last = self.stream(text, intentions)
        return last.revision


@pytest.fixture
def store(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'itune.db'}")
    yield store
    store.close()


@pytest.fixture
def reviser():
    return FakeReviser([ROUND_1, ROUND_2, ROUND_3])


@pytest.fixture
def studio(store, reviser):
    return Studio(get_reviser=lambda *_: reviser, store=store, max_chars=500)


def last_view(stream):
    *_, (progress, view) = stream
    assert progress.revision is not None
    return view


def position_of(view, before: str) -> int:
    (position,) = [e["position"] for e in view["edits"] if e["before"] == before]
    return position


def count_revisions(store) -> int:
    return len(store.list_revisions(limit=1000))


def test_revise_again_does_not_suggest_an_edit_the_writer_rejected(studio, store):
    first = last_view(studio.revise(DRAFT, ["fluency"]))
    rejected = studio.decide(first["revision_id"], position_of(first, "buyed a"), "reject")
    assert rejected["final_text"] == KEPT_1

    second = last_view(studio.revise(KEPT_1, ["fluency"], parent_id=first["revision_id"]))

    assert [(e["before"], e["after"]) for e in second["edits"]] == [("", ",")]
    assert second["revised"] == "He went to school yesterday, and he buyed a apple."
    stored = store.get_revision(second["revision_id"])
    assert stored.parent_id == first["revision_id"]
    assert stored.revised == second["revised"] and stored.final_text == second["revised"]


def test_rejections_anywhere_in_the_lineage_are_not_suggested_again(studio):
    first = last_view(studio.revise(DRAFT, ["fluency"]))
    studio.decide(first["revision_id"], position_of(first, "buyed a"), "reject")
    second = last_view(studio.revise(KEPT_1, ["fluency"], parent_id=first["revision_id"]))
    studio.decide(second["revision_id"], position_of(second, ""), "reject")

    third = last_view(studio.revise(KEPT_1, ["fluency"], parent_id=second["revision_id"]))

    # The comma (rejected in round 2) and "bought an" (rejected in round 1) stay out.
    assert [(e["before"], e["after"]) for e in third["edits"]] == [(".", "!")]
    assert third["revised"] == "He went to school yesterday and he buyed a apple!"


def test_an_edit_the_writer_accepted_may_come_back(studio):
    first = last_view(studio.revise(DRAFT, ["fluency"]))
    studio.decide(first["revision_id"], position_of(first, "buyed a"), "accept")
    second = last_view(studio.revise(KEPT_1, ["fluency"], parent_id=first["revision_id"]))
    assert ("buyed a", "bought an") in [(e["before"], e["after"]) for e in second["edits"]]


def test_a_round_without_a_parent_records_none(studio, store):
    view = last_view(studio.revise(DRAFT, ["fluency"]))
    assert store.get_revision(view["revision_id"]).parent_id is None


def test_revise_again_with_a_missing_parent_is_refused_before_generating(studio, store, reviser):
    with pytest.raises(RecordNotFound, match="revision 999 does not exist"):
        next(studio.revise(KEPT_1, ["fluency"], parent_id=999))
    assert reviser.calls == [] and count_revisions(store) == 0


def test_revise_again_on_another_writers_revision_is_refused(studio, store, reviser):
    first = last_view(studio.revise(DRAFT, ["fluency"], user="ada"))
    with pytest.raises(PermissionDenied, match="not yours"):
        next(studio.revise(KEPT_1, ["fluency"], user="bob", parent_id=first["revision_id"]))
    assert len(reviser.calls) == 1 and count_revisions(store) == 1


def test_suggest_without_a_predictor_is_refused_before_generating(studio, reviser):
    with pytest.raises(InvalidState, match="no intention predictor"):
        studio.suggest(DRAFT)
    assert reviser.calls == []


def test_suggest_checks_the_text_first(studio, reviser):
    reviser.labeller = lambda source, revised, edits, intentions: edits
    with pytest.raises(InvalidText, match="empty"):
        studio.suggest("   ")
    assert reviser.calls == []


def test_suggest_ranks_the_predictors_labels_and_records_nothing(studio, store, reviser):
    labels = {"go": ("fluency", 0.61), "buyed a": ("clarity", 0.82)}

    def labeller(source, revised, edits, intentions):
        return [replace(e, intention=labels[e.before][0], confidence=labels[e.before][1])
                for e in edits]  # fmt: skip

    reviser.labeller = labeller
    suggestions = studio.suggest(DRAFT)
    assert suggestions == [
        {"intention": "clarity", "confidence": 0.82},
        {"intention": "fluency", "confidence": 0.61},
    ]
    assert reviser.calls == [(DRAFT, INTENTIONS)]  # one trial revision, for every intention
    assert count_revisions(store) == 0


def test_serving_names_the_adapter_new_requests_use(store, reviser):
    serving = ["fluency-v2"]
    studio = Studio(
        get_reviser=lambda *_: reviser, store=store, max_chars=500, current_adapter=serving.pop
    )
    assert studio.serving() == "fluency-v2"
    assert Studio(get_reviser=lambda *_: reviser, store=store, max_chars=500).serving() is None


def test_only_the_writer_of_a_revision_may_act_on_it_by_id(studio):
    view = last_view(studio.revise(DRAFT, ["fluency"], user="wes"))
    studio.check_owner(view["revision_id"], "wes")
    for other in ("ada", None):
        with pytest.raises(PermissionDenied, match="not yours"):
            studio.check_owner(view["revision_id"], other)
    with pytest.raises(RecordNotFound):
        studio.check_owner(view["revision_id"] + 100, "wes")
