"""Synthetic clarity pairs: each padding rule makes the wordy phrase it names and only
where the plain word means what the phrase does; pairs are one padding each, labelled
clarity, and the same seed gives the same pairs."""

import json
import random
from pathlib import Path

import pytest

from training.data import load_dataset
from training.learner_errors import _words as words
from training.recipes import examples_sha256
from training.wordiness import (
    FILLER_SHARE,
    WORDY_RULE_FUNCTIONS,
    WORDY_RULES,
    pad_sentence,
    wordy_pairs,
)


def _padded(rule: str, text: str, seed: int = 0) -> set[str]:
    changes = WORDY_RULE_FUNCTIONS[rule](words(text), text, random.Random(seed))
    return {text[:start] + new + text[end:] for start, end, new in changes}


@pytest.mark.parametrize(
    ("rule", "text", "expected"),
    [
        ("due-to-the-fact", "It stopped because the file was missing.",
         "It stopped due to the fact that the file was missing."),
        ("in-order-to", "To reduce costs, we moved the servers.",
         "In order to reduce costs, we moved the servers."),
        ("in-order-to", "The method was designed to reduce noise.",
         "The method was designed in order to reduce noise."),
        ("despite-the-fact", "Although it rained, the match went ahead.",
         "Despite the fact that it rained, the match went ahead."),
        ("in-the-event", "If the server fails, a copy is loaded.",
         "In the event that the server fails, a copy is loaded."),
        ("able-to", "We can show that the bound is tight.",
         "We are able to show that the bound is tight."),
        ("able-to", "It can translate short questions.",
         "It is able to translate short questions."),
        ("large-number", "Many users reported problems.",
         "A large number of users reported problems."),
        ("large-number", "Most respondents read the news.",
         "The majority of respondents read the news."),
        ("nominalisation", "We analyzed the errors of the parser.",
         "We performed an analysis of the errors of the parser."),
        ("nominalisation", "They decided to close the library.",
         "They made the decision to close the library."),
        ("whether-or-not", "We do not know whether it holds.",
         "We do not know whether or not it holds."),
        ("make-use-of", "We use a simple grid search.", "We make use of a simple grid search."),
        ("redundancy", "The two sets were combined before training.",
         "The two sets were combined together before training."),
        ("redundancy", "We report the result of each run.",
         "We report the end result of each run."),
        ("prior-to", "Before the course, students take a test.",
         "Prior to the course, students take a test."),
        ("proximity", "The school is near the station.",
         "The school is in close proximity to the station."),
        ("with-regard-to", "We had questions about the schedule.",
         "We had questions with regard to the schedule."),
    ],
)  # fmt: skip
def test_each_padding_rule_makes_its_phrase(rule, text, expected):
    assert expected in _padded(rule, text)


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ("due-to-the-fact", "It stopped because of the rain."),  # no clause follows
        ("in-order-to", "We want to reduce costs."),  # "to" of a wanted thing, not a purpose
        ("in-order-to", "The data was sent to the server."),  # a preposition
        ("despite-the-fact", "It worked, even though it was late."),
        ("despite-the-fact", "He looked as though he was tired."),
        ("in-the-event", "I wonder if it is true."),  # "if" as "whether"
        ("point-in-time", "From now on, we test every change."),
        ("point-in-time", "He has worked here for three years now."),
        ("able-to", "It can be used for many tasks."),
        ("able-to", "The model can translate short questions."),  # no pronoun subject
        ("large-number", "How many users reported problems?"),
        ("large-number", "This is the most important point."),
        ("nominalisation", "The results were analyzed by hand."),  # a passive participle
        ("whether-or-not", "We ask whether it rains or snows."),  # an "or" already
        ("make-use-of", "We used to test by hand."),
        ("redundancy", "They help each other with the work."),
        ("redundancy", "As a result, we stop the test."),  # never "a end result"
        ("prior-to", "Before leaving, check the doors."),
        ("with-regard-to", "It costs about the same as before."),
        ("with-regard-to", "She is concerned about the test."),  # not after a noun of talk
    ],
)
def test_the_padding_rules_leave_what_they_would_break(rule, text):
    assert _padded(rule, text) == set()


def test_a_filler_opener_pads_a_sentence_whose_first_word_can_lose_its_capital():
    text = "The survey was answered by volunteers only."
    padded = {p for seed in range(200) for p in _padded("filler-opener", text, seed)}
    assert padded == {
        "It is important to note that the survey was answered by volunteers only.",
        "It should be noted that the survey was answered by volunteers only.",
        "It is worth mentioning that the survey was answered by volunteers only.",
    }
    assert not any(_padded("filler-opener", "London is large and old.", s) for s in range(40))


def test_filler_openers_are_kept_to_their_share():
    text = "The survey was answered by volunteers only."
    padded = sum(bool(_padded("filler-opener", text, seed)) for seed in range(2000))
    assert abs(padded / 2000 - FILLER_SHARE) < 0.03


def test_wordy_pairs_pad_once_each_and_are_deterministic():
    sentences = [
        "It stopped because the file was missing.",
        "Although it rained, the match went ahead.",
        "We use a simple grid search for the weights.",
        "Xyz is short.",  # too short to be used
    ]
    pairs = wordy_pairs(sentences, 10, seed=0)
    assert pairs == wordy_pairs(sentences, 10, seed=0)
    assert len(pairs) == 3
    for wordy, concise, rules in pairs:
        assert concise in sentences and len(rules) == 1 and rules[0] in WORDY_RULES
        assert len(wordy.split()) > len(concise.split())
    wordy, concise, rules = pad_sentence("Xyz is short.", random.Random(0))
    assert wordy == concise and rules == ()


def test_the_wordiness_set_is_clarity_of_every_kind():
    pairs = load_dataset("wordiness", "train").examples
    assert all(e.labels == ("clarity",) for e in pairs)
    assert {e.source_id.split("/")[1] for e in pairs} == set(WORDY_RULES)


def test_the_shipped_clarity_specialist_was_trained_on_exactly_these_pairs():
    # a change to the rules changes what `make default-adapter` would rebuild
    folder = Path(__file__).resolve().parents[2] / "adapters" / "itune-default-clarity"
    data = json.loads((folder / "lineage.json").read_text())["data"]
    assert examples_sha256(load_dataset(data["name"], "train").examples) == data["sha256"]
