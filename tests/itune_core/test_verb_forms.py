"""``itune_core.verb_forms``: which verbs a word is a given form of, from lemminflect's
tables, as the tense guard and the synthetic learner errors both read them."""

import pytest

from itune_core.verb_forms import (
    adjective_forms,
    is_comparative,
    parts_of_speech,
    present_third,
    same_form,
    simple_past,
    verb_lemmas,
)


@pytest.mark.parametrize(
    ("word", "tags", "lemmas"),
    [
        ("goes", ("VBZ",), ("go",)),
        ("went", ("VBD",), ("go",)),
        ("went", ("VB", "VBP", "VBZ"), ()),  # a past form only
        ("lives", ("VBZ",), ("live",)),
        ("running", ("VBG",), ("run",)),
        ("read", ("VBD",), ("read",)),  # the same in the present and the past
        ("read", ("VBP",), ("read",)),
        ("table", ("VBD", "VBZ"), ()),  # a verb, but not in those forms
        ("qwzx", ("VB", "VBD"), ()),  # unknown: no verb
    ],
)
def test_the_verbs_a_word_is_a_form_of(word, tags, lemmas):
    assert verb_lemmas(word, tags) == lemmas


def test_tags_may_be_any_iterable_and_give_the_same_answer():
    assert verb_lemmas("goes", ["VBZ"]) == verb_lemmas("goes", iter(("VBZ",))) == ("go",)


def test_the_parts_of_speech_a_word_can_be():
    assert parts_of_speech("lives") == {"VERB", "NOUN"}  # "she lives", "their lives"
    assert parts_of_speech("went") == {"VERB"}
    assert parts_of_speech("happy") == {"ADJ"}
    assert parts_of_speech("qwzx") == frozenset()


def test_the_simple_past_of_a_verb():
    assert [simple_past(v) for v in ("feel", "start", "go", "cry", "be")] == [
        "felt",
        "started",
        "went",
        "cried",
        "was",
    ]


def test_the_comparative_and_superlative_of_an_adjective():
    assert adjective_forms("big") == ("bigger", "biggest")
    assert adjective_forms("good") == ("better", "best")
    assert adjective_forms("nice") == ("nicer", "nicest")


def test_a_comparative_is_an_adjective_s_er_form():
    assert is_comparative("quieter") and is_comparative("better") and is_comparative("older")
    assert not any(is_comparative(w) for w in ("quiet", "teacher", "water", "computer", "best"))


def test_the_third_person_present_of_a_verb():
    assert [present_third(v) for v in ("rain", "go", "come")] == ["rains", "goes", "comes"]


@pytest.mark.parametrize(
    ("word", "lemma", "participle", "form"),
    [
        ("lost", "miss", False, "missed"),
        ("robbed", "steal", False, "stole"),
        ("robbed", "steal", True, "stolen"),  # "has robbed": no participle in the table
        ("made", "take", True, "taken"),
        ("done", "make", False, "made"),  # a participle only: one whatever stands before
        ("did", "have", False, "had"),
        ("Opening", "turn", False, "turning"),
        ("does", "make", False, "makes"),
        ("borrow", "lend", False, "lend"),
    ],
)
def test_the_same_form_of_another_verb(word, lemma, participle, form):
    assert same_form(word, lemma, participle) == form
