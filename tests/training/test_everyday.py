"""The everyday sentences built from templates (training/everyday.py)."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from training.data import load_dataset
from training.everyday import KINDS, everyday_pairs, split_of

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
_WORDS = re.compile(r"[A-Za-z']+")


def _words(text: str) -> list[str]:
    return _WORDS.findall(text.lower())


@pytest.fixture(scope="module")
def train():
    return everyday_pairs("train", 300)


def test_every_kind_is_taught_and_each_pair_is_a_fix(train):
    counts = Counter(kinds[0] for _, _, kinds in train)
    assert set(counts) == set(KINDS)
    assert min(counts.values()) >= 50
    assert all(noisy != clean for noisy, clean, _ in train)
    assert len({clean for _, clean, _ in train}) == len(train)
    assert everyday_pairs("train", 300) == train  # the same name, the same examples


def test_the_splits_follow_the_hash_of_the_clean_sentence(train):
    assert all(split_of(clean) == "train" for _, clean, _ in train)
    dev = everyday_pairs("dev", 300)
    assert dev and all(split_of(clean) == "dev" for _, clean, _ in dev)


def test_no_generated_sentence_is_a_sentence_of_the_evaluation_sets():
    made = {
        text for split in ("train", "dev", "test") for pair in everyday_pairs(split, 10**6)
        for text in pair[:2]
    }  # fmt: skip
    files = sorted(BENCHMARKS.glob("*.jsonl"))
    assert files
    for path in files:
        for line in path.read_text().splitlines():
            row = json.loads(line)
            for side in ("before_sent", "after_sent"):
                assert str(row.get(side, "")).strip() not in made, (path.name, row[side])


def _of(train, kind):
    return [(noisy, clean) for noisy, clean, kinds in train if kinds == (kind,)]


def test_an_adverb_moves_and_nothing_else_changes(train):
    for noisy, clean in _of(train, "adverb-order"):
        assert sorted(_words(noisy)) == sorted(_words(clean))


def test_will_is_taken_out_of_the_clause_of_time_or_condition(train):
    for noisy, clean in _of(train, "future-in-clause"):
        assert _words(noisy).count("will") == _words(clean).count("will") + 1
        assert re.search(r"\b(when|if|as soon as|before|after|once|until|unless) ", clean.lower())


def test_the_second_connector_is_the_only_difference(train):
    for noisy, clean in _of(train, "clause-connector"):
        first = noisy.split(", ", 1)
        assert first[1].split(" ", 1)[0] in ("but", "so")
        assert f"{first[0]}, {first[1].split(' ', 1)[1]}" == clean


def test_a_duration_takes_the_present_perfect_and_for_a_length_of_time(train):
    pairs = _of(train, "duration")
    for _noisy, clean in pairs:
        assert re.search(r"\b(has|have) \w+", clean)
        assert not re.search(r"\bsince (six|two|three|eight) ", clean)
    # each learner's form is made: the present, "since" for "for", both at once
    assert any(" since two years" in n and " have " not in n and " has " not in n for n, _ in pairs)
    assert any(" since two years" in n and (" have " in n or " has " in n) for n, _ in pairs)
    assert any(" since 20" in n and " has " not in n and " have " not in n for n, _ in pairs)


def test_a_finished_past_time_takes_the_simple_past(train):
    for noisy, clean in _of(train, "perfect-past"):
        assert re.search(r"\b(has|have) \w+", noisy) and not re.search(r"\b(has|have) ", clean)


def test_uncountable_nouns_lose_their_plural_and_their_quantifier_agrees(train):
    pairs = _of(train, "uncountable")
    for _noisy, clean in pairs:
        assert re.search(r"\b(information|advice|homework|furniture|equipment|luggage|"
                         r"knowledge|feedback|evidence|music|rubbish)\b", clean)  # fmt: skip
        assert not re.search(r"\b(informations|advices|homeworks|rubbishes)\b", clean)
    assert any(n.startswith("There are ") and c.startswith("There is ") for n, c in pairs)
    assert any(" many " in n and " much " in c for n, c in pairs)


def test_the_everyday_set_loads_by_name_as_fluency():
    data = load_dataset("everyday", "dev")
    assert len(data) >= 40
    assert {e.labels for e in data.examples} == {("fluency",)}
    assert all(e.source_id.startswith("everyday/") for e in data.examples)
