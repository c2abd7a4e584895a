"""benchmarks/intention_filter.py: an edit is held back only when its top intention (gain
plus bias) was not asked and leads the best asked one by more than tau; "not fluency"
leaves fluency requests alone; what is kept is the answer with the held edits undone."""

from benchmarks.intention_filter import filtered
from itune_core.edits import compute_edits
from itune_core.intentions import INTENTIONS

SOURCE = "He go home and teh dog sleep."
REVISED = "He goes home and the dog sleeps."


def gains(**by_intention: float) -> list[float]:
    return [by_intention.get(k, -5.0) for k in INTENTIONS]


def row(asked: list[str], edit_gains: list[list[float]]) -> dict:
    edits = compute_edits(SOURCE, REVISED)
    assert len(edits) == len(edit_gains) == 3
    return {"source": SOURCE, "revised": REVISED, "asked": asked,
            "edits": [e.to_dict() for e in edits], "gains": edit_gains}  # fmt: skip


def test_an_edit_that_reads_as_another_intention_is_held_past_tau():
    # "goes" reads as clarity by 3 nats over fluency, "the" as fluency, "sleeps" by 0.5
    r = row(["fluency"], [gains(clarity=3.0, fluency=0.0), gains(fluency=1.0),
                          gains(style=0.5, fluency=0.0)])  # fmt: skip
    assert filtered(r, {}, None, "all") == (REVISED, 0)  # served: every edit
    assert filtered(r, {}, 0.0, "all") == ("He go home and the dog sleep.", 2)
    assert filtered(r, {}, 1.0, "all") == ("He go home and the dog sleeps.", 1)
    assert filtered(r, {}, 4.0, "all") == (REVISED, 0)
    # a bias for fluency of +3.5 makes every edit read as fluency
    assert filtered(r, {"fluency": 3.5}, 0.0, "all") == (REVISED, 0)
    # "not fluency" leaves a fluency request as served
    assert filtered(r, {}, 0.0, "not fluency") == (REVISED, 0)


def test_an_edit_whose_top_intention_was_asked_is_kept():
    r = row(["clarity", "style"], [gains(clarity=3.0), gains(style=1.0), gains(fluency=9.0)])
    assert filtered(r, {}, 0.0, "not fluency") == ("He goes home and the dog sleep.", 1)
