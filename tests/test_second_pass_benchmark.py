"""benchmarks/second_pass.py: the fluency-only scope takes the second answer only where
fluency was asked, and the scores (benchmarks/served.py) count exact and unchanged answers."""

from benchmarks.second_pass import SCOPES, scoped
from benchmarks.served import scored
from training.data import RevisionExample


def example(before: str, after: str, *labels: str) -> RevisionExample:
    return RevisionExample(before=before, after=after, labels=labels, source_id="t")


EXAMPLES = [
    example("He go home.", "He goes home.", "fluency"),
    example("A text.", "A clearer text.", "clarity"),
]
ROWS = [
    {"first": "He goes home.", "second": "He goes home .", "pieces_again": 1},
    {"first": "A text.", "second": "A clearer text.", "pieces_again": 1},
]


def test_each_scope_takes_the_answers_it_says():
    outputs = scoped(EXAMPLES, ROWS)
    assert list(outputs) == list(SCOPES)
    assert outputs[SCOPES[0]] == ["He goes home.", "A text."]
    assert outputs[SCOPES[1]] == ["He goes home .", "A clearer text."]
    assert outputs[SCOPES[2]] == ["He goes home .", "A text."]  # clarity keeps its first


def test_the_score_counts_exact_and_unchanged_answers():
    first = scored(EXAMPLES, scoped(EXAMPLES, ROWS)[SCOPES[0]])
    assert (first["exact"], first["unchanged"], first["n"]) == (1, 1, 2)
    every = scored(EXAMPLES, scoped(EXAMPLES, ROWS)[SCOPES[1]])
    assert (every["exact"], every["unchanged"]) == (1, 0)
    assert 0 <= every["gleu"] <= 100 and 0 <= every["sari"] <= 100
    assert scored(EXAMPLES, ["He goes home.", "A text."], held=3)["held"] == 3
