"""benchmarks/context.py: its hand-written paragraphs are what it says they are and share
no sentence with the other hand-written sets, and its table counts exact answers per kind
of paragraph."""

import json

import pytest

from benchmarks.context import (
    CONFIRM,
    FRESH,
    KINDS,
    PARAGRAPHS,
    exact_by_kind,
    markdown,
    with_edits_of,
)
from itune_core.segment import split_pieces
from training.data import load_dataset


@pytest.mark.parametrize(
    ("paragraphs", "counts"),
    [(PARAGRAPHS, [12, 12, 4]), (FRESH, [10, 6, 8]), (CONFIRM, [8, 6, 6])],
)
def test_each_set_holds_the_paragraphs_of_each_kind_it_says(paragraphs, counts):
    lines = [json.loads(line) for line in paragraphs.read_text(encoding="utf-8").splitlines()]
    kinds = [line["error"] for line in lines]
    assert [kinds.count(k) for k in KINDS] == counts
    for line in lines:
        assert (line["before_sent"] == line["after_sent"]) == (line["error"] == "clean")
        assert line["before_sent"].count(". ") >= 1  # a paragraph: two sentences or more
    # evaluate reads it as it reads any IteraTeR-style file, in its order
    data = load_dataset(str(paragraphs), "dev")
    assert [e.before for e in data.examples] == [line["before_sent"] for line in lines]


def test_exact_answers_are_counted_per_kind_and_the_answers_shown_side_by_side():
    examples = [
        {"output": "A b.", "reference": "A b."},
        {"output": "C d.", "reference": "C e."},
        {"output": "F g.", "reference": "F g."},
    ]
    kinds = ["context-tense", "context-tense", "clean"]
    counts = exact_by_kind(examples, kinds)
    assert counts == {"context-tense": 1, "clean": 1}
    rows = {"copy": {"sari": 30.0, "gleu": 70.0, "exact": counts}}
    text = markdown(
        "python benchmarks/context.py", rows, kinds, [("clean", "F g.", "F g.", "F h.")]
    )
    assert "| copy | 30.00 | 70.00 | 1 | 0 | 1 |" in text
    assert "| clean | F g. | F g. | **F h.** |" in text  # only a changed answer is bold


def test_the_paragraphs_share_no_sentence_with_the_other_hand_written_sets():
    def sentences(path):
        found = set()
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            for text in (row["before_sent"], row["after_sent"]):
                found |= {text[a:b].lower() for a, b in split_pieces(text)}
        return found

    others = ("learner_sentences.jsonl", "learner_mixed.jsonl", "learner_heldout.jsonl")
    sets = (PARAGRAPHS, FRESH, CONFIRM)
    for ours in sets:
        for name in others:
            assert not sentences(ours) & sentences(ours.with_name(name)), (ours.name, name)
    for k, ours in enumerate(sets):
        for theirs in sets[k + 1 :]:
            assert not sentences(ours) & sentences(theirs), (ours.name, theirs.name)


def test_the_whole_answers_other_edits_join_the_sentence_answer_and_its_own_win_a_clash():
    source = "He go to school and she have a cat."
    first = "He goes to school and she have a cat."
    assert with_edits_of(source, first, "He go to school and she has a cat.") == (
        "He goes to school and she has a cat."
    )
    # the same word edited both ways: the first answer's edit stays, the other is dropped
    assert with_edits_of(source, first, "He went to school and she have a cat.") == first
    assert with_edits_of(source, source, first) == first
