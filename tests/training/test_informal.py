"""Synthetic style pairs: each casual turn makes the wording it names, only where the
formal word means what the casual one does; pairs are one turn each, from formal sentences
only, labelled style, and the same seed gives the same pairs."""

import json
import random
from pathlib import Path

import pytest

from training.data import load_dataset
from training.informal import (
    CONTRACTION_SHARE,
    INFORMAL_RULE_FUNCTIONS,
    INFORMAL_RULES,
    OPENER_SHARE,
    casual_sentence,
    informal_pairs,
    is_formal,
)
from training.learner_errors import _words as words
from training.recipes import examples_sha256


def _turned(rule: str, text: str, seeds: range = range(1)) -> set[str]:
    """Every sentence ``rule`` makes of ``text`` under any of ``seeds``."""
    made = set()
    for seed in seeds:
        changes = INFORMAL_RULE_FUNCTIONS[rule](words(text), text, random.Random(seed))
        made |= {text[:start] + new + text[end:] for start, end, new in changes}
    return made


@pytest.mark.parametrize(
    ("rule", "text", "expected"),
    [
        ("contraction", "The model does not work on long inputs.",
         "The model doesn't work on long inputs."),
        ("contraction", "It is clear that the test failed.", "It's clear that the test failed."),
        ("contraction", "We cannot rule out an error.", "We can't rule out an error."),
        ("intensifier", "The interface is very easy to learn.",
         "The interface is really easy to learn."),
        ("intensifier", "The interface is very easy to learn.",
         "The interface is pretty easy to learn."),
        ("a-lot", "Many students said it was short.", "A lot of students said it was short."),
        ("a-lot", "We received many complaints.", "We received lots of complaints."),
        ("a-lot", "The new model is much faster than the old one.",
         "The new model is way faster than the old one."),
        ("phrasal-verb", "The committee investigated the causes.",
         "The committee looked into the causes."),
        ("phrasal-verb", "We obtained the samples from a farm.", "We got the samples from a farm."),
        ("phrasal-verb", "They eliminate the duplicates first.",
         "They get rid of the duplicates first."),
        ("phrasal-verb", "We determined that the error was rare.",
         "We figured out that the error was rare."),
        ("phrasal-verb", "She contacts the authors by mail.",
         "She gets in touch with the authors by mail."),
        ("casual-word", "The children slept better.", "The kids slept better."),
        ("casual-word", "Perhaps the effect is seasonal.", "Maybe the effect is seasonal."),
        ("casual-word", "It is an excellent insulator.", "It is a great insulator."),
        ("casual-word", "The test was somewhat difficult.", "The test was kind of difficult."),
        ("but-opener", "However, the second test did not confirm it.",
         "But the second test did not confirm it."),
        ("and-stuff", "It covers costs, risks, etc.", "It covers costs, risks and stuff."),
        ("casual-opener", "The survey was answered by volunteers only.",
         "Basically, the survey was answered by volunteers only."),
    ],
)  # fmt: skip
def test_each_casual_turn_makes_its_wording(rule, text, expected):
    assert expected in _turned(rule, text, range(60))


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ("contraction", "We take the world as it is."),  # a full form that ends the clause
        ("intensifier", "It was the very first test."),  # "very" that does not grade
        ("intensifier", "We have very few samples."),
        ("a-lot", "How many students said it was short?"),
        ("a-lot", "There is not much more to say."),
        ("phrasal-verb", "The samples were obtained from a farm."),  # a passive participle
        ("phrasal-verb", "The causes were soon investigated by the board."),
        ("phrasal-verb", "The price will determine whether we buy it."),  # decides, not finds
        ("phrasal-verb", "The obtained samples were small."),  # an adjective
        ("casual-word", "They watched Children of the Corn at home."),  # a name
        ("but-opener", "However large it is, the room is cold."),  # not a connector
    ],
)
def test_the_casual_turns_leave_what_they_would_break(rule, text):
    assert _turned(rule, text, range(60)) == set()


def test_turns_that_fit_most_sentences_are_kept_to_their_share():
    text = "The survey is not answered by volunteers only."
    for rule, share in (("contraction", CONTRACTION_SHARE), ("casual-opener", OPENER_SHARE)):
        made = sum(bool(_turned(rule, text, range(seed, seed + 1))) for seed in range(2000))
        assert abs(made / 2000 - share) < 0.03


@pytest.mark.parametrize(
    "text",
    [
        "It's a small model.",  # a contraction, though it ends in 's
        "We don't use it.",
        "A lot of people use it.",
        "The results are really good.",
        "We got good results.",
    ],
)
def test_a_sentence_already_casual_is_no_formal_source(text):
    assert not is_formal(text)
    casual, formal, rules = casual_sentence(text, random.Random(0))
    assert casual == formal == text and rules == ()


def test_a_possessive_is_formal():
    assert is_formal("The model's output is short.")


def test_informal_pairs_turn_once_each_and_are_deterministic():
    sentences = [
        "The model does not work on long inputs.",
        "Many students said that the course was too short.",
        "We obtained the samples from three local farms.",
        "We don't use it at all in this work.",  # already casual
        "Xyz is short.",  # too short to be used
    ]
    pairs = informal_pairs(sentences, 10, seed=0)
    assert pairs == informal_pairs(sentences, 10, seed=0)
    assert {formal for _c, formal, _r in pairs} <= set(sentences[:3])
    for casual, formal, rules in pairs:
        assert casual != formal and len(rules) == 1 and rules[0] in INFORMAL_RULES
        assert not is_formal(casual) or rules == ("casual-opener",)


def test_the_informal_set_is_style_of_every_kind():
    pairs = load_dataset("informal", "train").examples
    assert all(e.labels == ("style",) for e in pairs)
    assert {e.source_id.split("/")[1] for e in pairs} == set(INFORMAL_RULES)
    assert all(is_formal(e.after) for e in pairs)


def test_the_shipped_style_specialist_was_trained_on_exactly_these_pairs():
    # a change to the rules changes what `make default-adapter` would rebuild
    folder = Path(__file__).resolve().parents[2] / "adapters" / "itune-default-style"
    data = json.loads((folder / "lineage.json").read_text())["data"]
    assert examples_sha256(load_dataset(data["name"], "train").examples) == data["sha256"]
