"""Labelling edits by the adapter's own likelihood: each edit takes the asked intention
whose prompt raises it most over leaving its sentence as it was, plus that intention's
bias; the sentences of every revision are scored in one call."""

import math

import pytest

from itune_core.edits import compute_edits
from itune_core.gain_labels import CHUNK, GainLabeller
from itune_core.intentions import INTENTIONS

SOURCE = "He go to school. She like apples."
REVISED = "He goes to school. She likes apples."


class TableDecoder:
    """Rows are (sentence, intention); an answer's log-probability is looked up in a
    table by (intention, answer), the sentence left as it was scoring 0."""

    def __init__(self, table):
        self.table, self.calls = table, []

    def row(self, piece, intentions, adapter=None):
        assert adapter == "mine" and len(intentions) == 1
        return (piece, intentions[0])

    def score(self, jobs):
        self.calls.append(jobs)
        return [
            [0.0 if answer == piece else self.table.get((k, answer), -9.0) for answer in answers]
            for (piece, k), answers in jobs
        ]


def edits():
    return compute_edits(SOURCE, REVISED)


def test_each_edit_takes_the_asked_intention_that_raises_it_most():
    first_sentence, second_sentence = "He goes to school.", "She likes apples."
    table = {
        ("fluency", first_sentence): -1.0,
        ("clarity", first_sentence): -2.0,
        ("fluency", second_sentence): -3.0,
        ("clarity", second_sentence): -1.0,
    }
    decoder = TableDecoder(table)
    labeller = GainLabeller(decoder, "mine", dict.fromkeys(INTENTIONS, 0.0))
    first, second = labeller(SOURCE, REVISED, edits(), ("fluency", "clarity"))
    assert (first.intention, second.intention) == ("fluency", "clarity")
    # the confidence is the label's share of the softmax over the asked intentions
    assert first.confidence == pytest.approx(1 / (1 + math.exp(-1)))
    assert second.confidence == pytest.approx(1 / (1 + math.exp(-2)))
    # one call; one row per sentence and asked intention, only the asked ones
    [jobs] = decoder.calls
    assert sorted(row for row, _ in jobs) == sorted(
        (s, k) for s in ("He go to school.", "She like apples.") for k in ("clarity", "fluency")
    )


def test_a_bias_moves_the_choice():
    table = {("fluency", "He goes to school."): -1.0, ("clarity", "He goes to school."): -2.0}
    bias = dict.fromkeys(INTENTIONS, 0.0) | {"clarity": 1.5}
    labeller = GainLabeller(TableDecoder(table), "mine", bias)
    [edit] = labeller("He go to school.", "He goes to school.",
                      compute_edits("He go to school.", "He goes to school."),
                      ("fluency", "clarity"))  # fmt: skip
    assert edit.intention == "clarity"


def test_several_revisions_are_scored_in_one_call_and_unknown_intentions_change_nothing():
    decoder = TableDecoder({})
    labeller = GainLabeller(decoder, "mine", dict.fromkeys(INTENTIONS, 0.0))
    kept = compute_edits("A b.", "A c.", "style")
    out = labeller.label_many([
        (SOURCE, REVISED, edits(), ("coherence", "style")),
        ("A b.", "A c.", kept, ("not-an-intention",)),
        ("A b.", "A b.", [], ("fluency", "clarity")),
    ])  # fmt: skip
    assert len(decoder.calls) == 1
    assert {e.intention for e in out[0]} <= {"coherence", "style"} and len(out[0]) == 2
    assert out[1] == kept and out[2] == []


def test_labelling_nothing_scores_nothing():
    decoder = TableDecoder({})
    labeller = GainLabeller(decoder, "mine", dict.fromkeys(INTENTIONS, 0.0))
    assert labeller.label_many([("A b.", "A b.", [], ("fluency", "clarity"))]) == [[]]
    assert decoder.calls == []


def test_a_long_draft_is_scored_a_chunk_at_a_time_through_run():
    # the pool hands each chunk to the scheduler (run), so others' passes go between them
    source = " ".join(f"He go to place {n}." for n in range(5))
    revised = source.replace("He go", "He goes")
    chunks: list[int] = []
    decoder = TableDecoder({})

    def run(fn):
        found = fn()
        chunks.append(len(found))
        return found

    labeller = GainLabeller(decoder, "mine", dict.fromkeys(INTENTIONS, 0.0), run=run)
    labelled = labeller(source, revised, compute_edits(source, revised), INTENTIONS)
    assert len(labelled) == 5 and all(e.intention in INTENTIONS for e in labelled)
    assert chunks == [CHUNK] * (25 // CHUNK) + [25 % CHUNK]  # 5 sentences x 5 intentions


def test_the_gains_are_each_asked_intentions_gain_plus_its_bias():
    first_sentence = "He goes to school."
    table = {("fluency", first_sentence): -1.0, ("style", first_sentence): -4.0}
    labeller = GainLabeller(TableDecoder(table), "mine", {"style": 0.5})
    [gains, none] = labeller.gains(
        [(SOURCE, edits(), ("style", "fluency")), (SOURCE, edits(), ("others",))]
    )
    # in the app's order, bias added; the second sentence's edit is unknown to the table
    assert list(gains[0]) == ["fluency", "style"]
    assert gains[0] == {"fluency": -1.0, "style": -3.5}
    assert gains[1] == {"fluency": -9.0, "style": -8.5}
    assert none == [{}, {}]  # no intention among those asked: nothing scored
