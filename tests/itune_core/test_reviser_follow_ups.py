"""Follow-up passes (``Reviser.follow_ups``): on a request for several intentions, each
piece as the first adapter left it is revised again by another adapter for one intention
alone, over a decoder that answers from a table per adapter."""

from dataclasses import replace

from itune_core.decoding import Decoded
from itune_core.edits import apply_edits
from itune_core.reviser import Reviser, ReviseSettings

DRAFT = "Due to the fact that the road is closed, the children walks. The shop is open."
FIXED = "Due to the fact that the road is closed, the children walk."
CUT = "Because the road is closed, the children walk."


class TableDecoder:
    """Answers each row from ``answers[adapter]`` (the row's text where absent), and
    records every row as (adapter, intentions, piece)."""

    def __init__(self, answers: dict[str | None, dict[str, str]]) -> None:
        self.answers, self.rows = answers, []

    def row(self, piece, intentions, adapter=None):
        self.rows.append((adapter, tuple(intentions), piece))
        return (adapter, piece)

    def decode(self, rows, cancel=None):
        for k, (adapter, piece) in enumerate(rows):
            yield k, Decoded(self.answers.get(adapter, {}).get(piece, piece), 3, False)

    def scorer(self, row):
        return None

    def release(self, row):
        pass


def labeller(text, revised, edits, wanted):
    """Labels every edit it is given fluency, so a test sees which edits reached it."""
    return [replace(e, intention="fluency", confidence=0.5) for e in edits]


def reviser(decoder, follow_ups=(("clarity", "clarity-adapter"),), **kwargs) -> Reviser:
    return Reviser(
        None,
        None,
        model_name="table",
        adapter_name="general",
        decoder=decoder,
        settings=ReviseSettings(min_edit_margin=None, tense_context=False),
        follow_ups=follow_ups,
        **kwargs,
    )


def table():
    first = "Due to the fact that the road is closed, the children walks."
    return TableDecoder({"general": {first: FIXED}, "clarity-adapter": {FIXED: CUT}})


def test_a_request_for_several_intentions_is_revised_again_by_the_follow_up():
    decoder = table()
    revision = reviser(decoder, labeller=labeller).revise(DRAFT, ["fluency", "clarity"])
    assert revision.revised == CUT + " The shop is open."
    assert apply_edits(DRAFT, revision.edits) == revision.revised
    # the follow-up saw the first pass's answer, asked for its intention alone
    assert ("clarity-adapter", ("clarity",), FIXED) in decoder.rows
    assert ("clarity-adapter", ("clarity",), "The shop is open.") in decoder.rows
    by_words = {(e.before, e.after): e.intention for e in revision.edits}
    assert by_words[("walks", "walk")] == "fluency"  # the first pass's: the labeller's
    assert by_words[("Due to the fact that", "Because")] == "clarity"  # the follow-up's
    assert revision.adapter == "general"


def test_a_request_for_one_intention_or_without_the_follow_ups_intention_is_not_followed():
    for wanted in (["clarity"], ["fluency"], ["fluency", "style"]):
        decoder = table()
        revision = reviser(decoder).revise(DRAFT, wanted)
        assert revision.revised == FIXED + " The shop is open."
        assert {adapter for adapter, _, _ in decoder.rows} == {"general"}


def test_progress_counts_the_pieces_of_each_pass_and_names_the_follow_up():
    updates = list(reviser(table()).stream(DRAFT, ["fluency", "clarity"]))
    assert [(u.pieces_done, u.pieces_total, u.follow_up) for u in updates] == [
        (0, 2, None),
        (1, 2, None),
        (2, 2, None),
        (1, 2, "clarity"),
        (2, 2, "clarity"),
        (2, 2, None),
    ]
    assert updates[2].text == FIXED + " The shop is open."
    assert updates[-1].revision is not None
    assert updates[-2].text == updates[-1].text == CUT + " The shop is open."


def test_the_follow_ups_guards_judge_its_own_piece():
    # the clarity pass changes a number: the fact guard holds it back, the first pass's
    # fix stays, and the writer sees what was held back and why
    decoder = TableDecoder(
        {
            "general": {"The 3 children walks.": "The 3 children walk."},
            "clarity-adapter": {"The 3 children walk.": "The 4 children walk."},
        }
    )
    revision = reviser(decoder).revise("The 3 children walks.", ["fluency", "clarity"])
    assert revision.revised == "The 3 children walk."
    assert [(h.before, h.after, h.by) for h in revision.held_edits] == [("3", "4", "fact")]
    (suggestion,) = revision.suggestions
    assert (suggestion.edit.before, suggestion.edit.after) == ("3", "4")
    assert suggestion.edit.intention == "clarity"


def test_passes_follow_one_another_in_order():
    decoder = TableDecoder(
        {
            "general": {"The kids walks.": "The kids walk."},
            "clarity-adapter": {},
            "style-adapter": {"The kids walk.": "The children walk."},
        }
    )
    ups = (("clarity", "clarity-adapter"), ("style", "style-adapter"))
    revision = reviser(decoder, ups).revise("The kids walks.", ["fluency", "clarity", "style"])
    assert revision.revised == "The children walk."
    assert [a for a, _, _ in decoder.rows] == ["general", "clarity-adapter", "style-adapter"]
    by_words = {(e.before, e.after): e.intention for e in revision.edits}
    assert by_words == {("kids walks", "children walk"): "style"}  # merged: the last pass's
