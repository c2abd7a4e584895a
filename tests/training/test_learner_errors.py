"""Synthetic learner errors: each rule makes the error it names, pairs come only from the
split asked for, and the same seed gives the same pairs."""

import random

import pytest

from training.data import SYNTHETIC_SETS, load_argrewrite, load_dataset, load_iterater_sent
from training.learner_errors import (
    GRAMMAR_RULE_FUNCTIONS,
    GRAMMAR_RULES,
    MORE_RULE_FUNCTIONS,
    MORE_RULES,
    RULE_FUNCTIONS,
    RULES,
    USAGE_RULE_FUNCTIONS,
    USAGE_RULES,
    agreement_pairs,
    apostrophe_pairs,
    contract,
    drop_apostrophe,
    grammar_error_pairs,
    inject_errors,
    inject_more_errors,
    make_pairs,
    mixed_error_pairs,
    more_error_pairs,
    singular_subject,
    third_person,
    usable,
    usage_error_pairs,
)
from training.learner_errors import _words as words

CLEAN = "There are many reasons why people like to travel, and it is not always easy."


def _changes(rule: str, text: str) -> set[str]:
    return {
        text[:start] + new + text[end:]
        for start, end, new in RULE_FUNCTIONS[rule](words(text), text)
    }


@pytest.mark.parametrize(
    ("rule", "text", "expected"),
    [
        ("confusion", "Their house is there.", "There house is there."),
        ("confusion", "It's raining.", "Its raining."),
        ("agreement", "There are many reasons.", "There is many reasons."),
        ("agreement", "It broadens the mind.", "It broaden the mind."),
        ("agreement", "You meet new friends.", "You meets new friends."),
        ("article", "She has a cat.", "She has cat."),
        ("article", "She ate an apple.", "She ate a apple."),
        ("verb-form", "We went home.", "We goed home."),
        ("verb-form", "It was finished early.", "It was finish early."),
        ("verb-form", "They want to travel.", "They want to traveling."),
        ("plural", "Many people came.", "Many peoples came."),
        ("plural", "There are many reasons.", "There are many reason."),
    ],
)
def test_each_rule_makes_its_error(rule, text, expected):
    assert expected in _changes(rule, text)


def test_inject_errors_applies_distinct_rules_without_overlap():
    rng = random.Random(3)
    for _ in range(200):
        noisy, rules = inject_errors(CLEAN, rng)
        assert 1 <= len(rules) <= 3 and len(set(rules)) == len(rules)
        assert set(rules) <= set(RULES)
        assert noisy != CLEAN


def test_a_sentence_no_rule_fits_comes_back_unchanged():
    assert inject_errors("Xyz.", random.Random(0)) == ("Xyz.", ())


def test_only_prose_sentences_are_used():
    assert usable(CLEAN)
    assert not usable("short one.")
    assert not usable("The value of x = 3 in the table below is wrong.")
    assert not usable("lowercase start is not a sentence we use here at all.")


def test_pairs_are_deterministic_distinct_and_erroneous():
    sentences = [CLEAN, "We went home because it was late and we were tired.", CLEAN]
    first, again = make_pairs(sentences, 10, seed=1), make_pairs(sentences, 10, seed=1)
    assert first == again and len(first) == 2
    assert {clean for _, clean, _ in first} == set(sentences)
    assert all(noisy != clean for noisy, clean, _ in first)


def test_the_training_pairs_come_from_the_training_split_only():
    train = load_dataset("learner-errors", "train")
    clean_train = {e.after.strip() for e in load_iterater_sent("train").examples}
    assert len(train) >= 2000
    assert all(e.after in clean_train for e in train.examples)
    assert all(e.labels == ("fluency",) for e in train.examples)
    assert all(e.before != e.after for e in train.examples)
    held_out = {
        text.strip()
        for split in ("dev", "test")
        for e in load_iterater_sent(split).examples
        for text in (e.before, e.after)
    }
    assert held_out.isdisjoint(e.after for e in train.examples)
    dev = load_dataset("learner-errors", "dev")
    assert {e.after for e in dev.examples}.isdisjoint({e.after for e in train.examples})


def test_datasets_joined_with_plus_hold_both_in_order():
    sent = load_dataset("iterater-sent", "dev")
    errors = load_dataset("learner-errors", "dev")
    both = load_dataset("iterater-sent+learner-errors", "dev")
    assert both.examples == sent.examples + errors.examples
    assert both.name == "iterater-sent+learner-errors" and not both.multi_label
    with pytest.raises(ValueError, match="different label sets"):
        load_dataset("iterater-sent+argrewrite", "dev")


def test_a_file_whose_name_holds_a_plus_is_read_as_one_file(tmp_path):
    path = tmp_path / "mine+more.jsonl"
    row = '{"before_sent": "He go home.", "after_sent": "He goes home.", "labels": "fluency"}'
    path.write_text(row + "\n", encoding="utf-8")
    assert [e.after for e in load_dataset(str(path), "train").examples] == ["He goes home."]


@pytest.mark.parametrize(
    ("clean", "contracted"),
    [
        ("It is not easy to plan a trip.", "It's not easy to plan a trip."),
        ("They say it is cheap and they are right.", "They say it's cheap and they are right."),
        ("We do not know why.", "We don't know why."),
        ("We cannot say.", "We can't say."),
        ("We don't know if it is true.", "We don't know if it is true."),  # one already
        ("A bit is a unit.", "A bit is a unit."),  # "bit is" holds no "it is"
    ],
)
def test_contract_makes_the_first_full_form_a_contraction(clean, contracted):
    assert contract(clean) == contracted


def test_drop_apostrophe_prefers_its():
    rng = random.Random(0)
    assert drop_apostrophe("We don't think it's late.", rng) == "We don't think its late."
    assert drop_apostrophe("We don't know.", rng) == "We dont know."
    assert drop_apostrophe("Its owner's car.", rng) == "Its owner's car."  # no contraction


def test_apostrophe_pairs_restore_one_apostrophe_and_change_nothing_else():
    sentences = [CLEAN, "We do not know why the results differ so much.", "Xyz is short."]
    pairs = apostrophe_pairs(sentences, 10, seed=0)
    assert pairs == apostrophe_pairs(sentences, 10, seed=0)
    assert sorted(pairs) == [
        (
            "There are many reasons why people like to travel, and its not always easy.",
            "There are many reasons why people like to travel, and it's not always easy.",
            ("apostrophe",),
        ),
        (
            "We dont know why the results differ so much.",
            "We don't know why the results differ so much.",
            ("apostrophe",),
        ),
    ]


@pytest.mark.parametrize(
    ("verb", "inflected"),
    [
        ("propose", "proposes"),
        ("have", "has"),
        ("do", "does"),
        ("go", "goes"),
        ("carry", "carries"),
        ("play", "plays"),
        ("focus", "focuses"),
        ("teach", "teaches"),
        ("fix", "fixes"),
        ("broaden", "broadens"),
    ],
)
def test_third_person_inflects_a_base_verb(verb, inflected):
    assert third_person(verb) == inflected


@pytest.mark.parametrize(
    ("sentence", "noisy", "clean"),
    [
        ("We propose a new model.", "{P} propose a new model.", "{P} proposes a new model."),
        (
            "In this paper, we study how they learn.",
            "In this paper, {p} study how they learn.",
            "In this paper, {p} studies how they learn.",
        ),
        # a modal, a past form and a hyphenated word are passed over for the next subject
        (
            "We can see that they found it, so they pre-train and they go home.",
            "We can see that they found it, so they pre-train and {p} go home.",
            "We can see that they found it, so they pre-train and {p} goes home.",
        ),
        ("They have shown results.", "{P} have shown results.", "{P} has shown results."),
    ],
)
def test_singular_subject_makes_one_agreement_error(sentence, noisy, clean):
    found = singular_subject(sentence, random.Random(0))
    pronoun = random.Random(0).choice(("he", "she", "it"))
    fill = {"p": pronoun, "P": pronoun.capitalize()}
    assert found == (noisy.format(**fill), clean.format(**fill))


@pytest.mark.parametrize(
    "sentence",
    ["We also tried it.", "They were late.", "Users like it.", "We showed that it works."],
)
def test_a_sentence_without_a_plural_subject_and_present_verb_gives_nothing(sentence):
    assert singular_subject(sentence, random.Random(0)) is None


def test_agreement_pairs_differ_only_in_the_third_person_s():
    pairs = agreement_pairs(
        ["We propose a simple method for this task.", "Xyz is short.", CLEAN], 10, seed=0
    )
    assert pairs == agreement_pairs(
        ["We propose a simple method for this task.", "Xyz is short.", CLEAN], 10, seed=0
    )
    assert len(pairs) == 1
    noisy, clean, rules = pairs[0]
    assert rules == ("third-person",)
    assert noisy.endswith(" propose a simple method for this task.")
    assert clean == noisy.replace(" propose ", " proposes ")


@pytest.mark.parametrize("name", SYNTHETIC_SETS)
def test_the_synthetic_pairs_keep_their_splits_apart(name):
    train, dev = load_dataset(name, "train"), load_dataset(name, "dev")
    assert len(train) >= 300 and len(dev) >= 40
    # padding is unclear, casual wording a matter of register; the rest is wrong English
    intention = {"wordiness": ("clarity",), "informal": ("style",)}.get(name, ("fluency",))
    assert all(e.labels == intention and e.before != e.after for e in train.examples)
    assert {e.after for e in dev.examples}.isdisjoint(e.after for e in train.examples)


def test_essay_errors_come_from_the_training_writers_essays():
    essays = {e.after.replace("\u2019", "'").strip() for e in load_argrewrite("train").examples}
    pairs = load_dataset("essay-errors", "train").examples
    assert all(e.after in essays for e in pairs)
    held_out = {e.after.replace("\u2019", "'").strip() for e in load_argrewrite("test").examples}
    assert held_out.isdisjoint(e.after for e in pairs)


def test_apostrophe_pairs_teach_its_for_its():
    pairs = load_dataset("apostrophes", "train").examples
    its = [e for e in pairs if "it's" in e.after.lower() and "its" in e.before.lower()]
    assert len(its) >= 100


def _seeded_changes(functions, rule: str, text: str) -> set[str]:
    """Every sentence one rule of ``functions`` (a table of rules that draw from the
    sentence's random generator) can make of ``text``."""
    return {
        text[:start] + new + text[end:]
        for start, end, new in functions[rule](words(text), text, random.Random(0))
    }


def _more_changes(rule: str, text: str) -> set[str]:
    return _seeded_changes(MORE_RULE_FUNCTIONS, rule, text)


@pytest.mark.parametrize(
    ("rule", "text", "expected"),
    [
        ("capitals", "I think it works.", "i think it works."),
        ("capitals", "The model works.", "the model works."),
        ("capitals", "We met in London on Monday.", "We met in london on Monday."),
        ("missing-be", "She is very happy today.", "She very happy today."),
        ("missing-be", "The result is important for us.", "The result important for us."),
        ("missing-be", "I do not like it.", "I not like it."),
        ("modal", "She can dance very well.", "She can dances very well."),
        (
            "bare-gerund",
            "We look forward to it by hearing from you.",
            "We look forward to it by hear from you.",
        ),
        ("bare-gerund", "It is a way of running tests.", "It is a way of run tests."),
        ("misspelling", "I received your letter.", "I recieved your letter."),
        ("misspelling", "We learned a lot from it.", "We learned alot from it."),
        ("since", "They waited for two hours.", "They waited since two hours."),
    ],
)
def test_each_further_rule_makes_its_error(rule, text, expected):
    assert expected in _more_changes(rule, text)


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ("capitals", "We met in Paris."),  # "Paris" is listed; "We" opens the sentence
        ("missing-be", "It is a cat."),  # "is" before an article is not dropped
        ("modal", "We can not go."),
        ("modal", "It will be late."),
        ("since", "We thank them for their help."),
    ],
)
def test_a_further_rule_leaves_what_it_does_not_cover(rule, text):
    changed = _more_changes(rule, text)
    if rule == "capitals":
        assert changed == {"we met in Paris.", "We met in paris."}
    else:
        assert changed == set()


def test_the_comparative_rule_puts_more_before_the_comparative_or_its_base():
    text = "This book is better than that one."
    rng = random.Random(0)
    changed = {
        text[:start] + new + text[end:]
        for _ in range(20)
        for start, end, new in MORE_RULE_FUNCTIONS["comparative"](words(text), text, rng)
    }
    assert changed == {
        "This book is more better than that one.",
        "This book is more good than that one.",
    }
    assert (
        MORE_RULE_FUNCTIONS["comparative"](words("It is no better."), "It is no better.", rng) == []
    )


@pytest.mark.parametrize(
    ("sentence", "noisy", "clean"),
    [
        (
            "Two years ago, we went home and saw them.",
            "Two years ago, we go home and see them.",
            "Two years ago, we went home and saw them.",
        ),
        (
            "When I was a child, I played football.",
            "When I was a child, I play football.",
            "When I was a child, I played football.",
        ),
        (
            "In 2019 she became the head of the team.",
            "In 2019 she become the head of the team.",
            "In 2019 she became the head of the team.",
        ),
    ],
)
def test_tense_puts_past_verbs_in_the_present_beside_a_time_marker(sentence, noisy, clean):
    rng = random.Random(0)
    while True:
        found = inject_more_errors(sentence, rng)
        if found[2] == ("tense",):
            break
    assert found[:2] == (noisy, clean)


def test_tense_puts_a_marker_before_a_sentence_that_names_no_time():
    from training.learner_errors import _tense

    noisy, clean = _tense("We proposed a new model.", random.Random(0))
    opener = clean.removesuffix("we proposed a new model.")
    assert opener.endswith(", ") and opener[0].isupper()
    assert noisy == opener + "we propose a new model."
    assert _tense("Smith proposed a new model.", random.Random(0)) is None  # a name opens it
    assert _tense("We propose a new model.", random.Random(0)) is None  # nothing in the past
    assert _tense("We had tested it last year.", random.Random(0)) is None  # a past perfect


def test_more_errors_are_deterministic_and_capitals_seldom_come_alone():
    sentences = [
        CLEAN,
        "The results are very clear and we can see the effect.",
        "This method is better than the baseline for two hours.",
        "The model works well in practice.",
    ] * 1
    first = more_error_pairs(sentences, 10, seed=3)
    assert first == more_error_pairs(sentences, 10, seed=3)
    assert all(noisy != clean and set(rules) <= set(MORE_RULES) for noisy, clean, rules in first)
    pairs = load_dataset("more-errors", "train").examples
    alone = sum(e.source_id.split("/")[1] == "capitals" for e in pairs)
    assert 0 < alone < len(pairs) / 4
    kinds = {rule for e in pairs for rule in e.source_id.split("/")[1].split("+")}
    assert kinds == set(MORE_RULES)


def test_mixed_errors_put_both_kinds_of_error_in_one_sentence():
    sentences = [
        CLEAN,
        "We went to the station and took the train to the city.",
        "The results are very clear and we can see the effect.",
        "She received a letter from her friend in London.",
    ]
    first = mixed_error_pairs(sentences, 10, seed=3)
    assert first and first == mixed_error_pairs(sentences, 10, seed=3)
    pairs = load_dataset("mixed-errors", "train").examples
    assert len(pairs) == 1000
    for e in pairs:
        rules = e.source_id.split("/")[1].split("+")
        assert set(rules) & set(MORE_RULES) and set(rules) & set(RULES), e.source_id
        assert 2 <= len(rules) <= 4
    # another seed than more-errors: most of its sentences are not more-errors' ones
    more = {e.after for e in load_dataset("more-errors", "train").examples}
    assert sum(e.after in more for e in pairs) < len(pairs) / 2


def _grammar_changes(rule: str, text: str) -> set[str]:
    return _seeded_changes(GRAMMAR_RULE_FUNCTIONS, rule, text)


@pytest.mark.parametrize(
    ("rule", "text", "expected"),
    [
        (
            "agreement-later",
            "He wakes up at six and takes a bus to work.",
            {"He wakes up at six and take a bus to work."},
        ),
        ("agreement-later", "She always gets high marks.", {"She always get high marks."}),
        (
            "agreement-later",
            "I visit my aunt, who lives in the countryside.",
            {"I visit my aunt, who live in the countryside."},
        ),
        (
            "double-comparative",
            "Their house is bigger than ours.",
            {"Their house is more bigger than ours."},
        ),
        (
            "double-comparative",
            "It is the biggest building here.",
            {"It is the most biggest building here."},
        ),
        ("be-before-verb", "I agree with you on this.", {"I am agree with you on this."}),
        ("be-before-verb", "We propose a new method.", {"We are propose a new method."}),
        (
            "to-bare-verb",
            "I look forward to meeting you.",
            {"I look forward to meet you."},
        ),
        (
            "since",
            "They have lived here for five years.",
            {"They have lived here since five years."},
        ),
        ("loose", "You will lose your keys.", {"You will loose your keys."}),
    ],
)
def test_each_grammar_rule_makes_its_error(rule, text, expected):
    assert _grammar_changes(rule, text) == expected


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        # a plural noun after "and" is no verb without its -s; a word that may be one
        # counts as a verb only before what starts an object
        ("agreement-later", "They threw eggs and bottles of water at the car."),
        ("agreement-later", "He wakes up at six and goes for a run."),
        ("agreement-later", "It is cheap and it is fast."),  # "is" is left to other rules
        ("double-comparative", "The results are better than before."),  # _comparative's
        ("double-comparative", "The smaller the model, the faster it runs."),
        ("double-comparative", "This is the most important point."),
        ("be-before-verb", "We have shown that they can do it."),  # auxiliaries and modals
        ("to-bare-verb", "We want to bring the results to everyone."),  # the infinitive's to
        ("since", "We waited for the bus."),
    ],
)
def test_the_grammar_rules_leave_what_is_no_such_error(rule, text):
    assert _grammar_changes(rule, text) == set()


def test_grammar_errors_make_every_kind_one_per_sentence():
    sentences = [
        "He wakes up early and goes to work.",
        "I agree that the method works well.",
        "The new model is faster than the old one.",
        "We look forward to seeing the results.",
    ]
    first = grammar_error_pairs(sentences, 10, seed=0)
    assert len(first) == 4 and first == grammar_error_pairs(sentences, 10, seed=0)
    for noisy, clean, rules in first:
        assert clean in sentences and noisy != clean and len(rules) == 1
    pairs = load_dataset("grammar-errors", "train").examples
    kinds = {e.source_id.split("/")[1] for e in pairs}
    assert kinds == set(GRAMMAR_RULES)


def _usage_changes(rule: str, text: str) -> set[str]:
    return {
        text[:start] + new + text[end:]
        for start, end, new in USAGE_RULE_FUNCTIONS[rule](words(text), text, random.Random(0))
    }


@pytest.mark.parametrize(
    ("rule", "text", "expected"),
    [
        ("uncountable", "We need more information.", {"We need more informations."}),
        ("uncountable", "Research shows progress.", {"Researches shows progress.",
                                                      "Research shows progresses."}),
        ("future-in-clause", "If it rains, we stay.", {"If it will rain, we stay."}),
        ("future-in-clause", "When we are ready, we start.", {"When we will be ready, we start."}),
        ("future-in-clause", "Call me, when you have time.", {"Call me, when you will have time."}),
        ("clause-connector", "Although it was late, we kept working.",
         {"Although it was late, but we kept working."}),
        ("clause-connector", "Because it rained, the game stopped.",
         {"Because it rained, so the game stopped."}),
        ("extra-preposition", "We discussed the plan.", {"We discussed about the plan."}),
        ("extra-preposition", "She entered the room.", {"She entered into the room."}),
        ("extra-preposition", "It affects many people.", {"It affects on many people."}),
        ("participle-adjective", "I am very interested in art.", {"I am very interesting in art."}),
        ("participle-adjective", "They were satisfied with it.", {"They were satisfying with it."}),
        ("most-of", "Most people like music.", {"Most of people like music."}),
    ],
)  # fmt: skip
def test_each_usage_rule_makes_its_error(rule, text, expected):
    assert _usage_changes(rule, text) == expected


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ("uncountable", "We research the topic."),  # a verb after a pronoun
        ("future-in-clause", "I wonder if it is true."),  # "if" as "whether" takes "will"
        ("future-in-clause", "If it was late, we left."),  # not a present verb
        ("clause-connector", "As it was late, we left."),  # only "although" and "because"
        ("clause-connector", "Although small, it works."),  # no clause before the comma
        ("extra-preposition", "It is within the reach of everyone."),  # a noun
        ("extra-preposition", "They entered their names."),  # "into" only before an article
        ("participle-adjective", "An interested reader will see it."),  # no "be" before it
        ("most-of", "This is the most important point."),
        ("most-of", "Most of the students passed."),  # "of" there already
    ],
)
def test_the_usage_rules_leave_what_is_no_such_error(rule, text):
    assert _usage_changes(rule, text) == set()


def test_usage_errors_make_every_kind_one_per_sentence():
    sentences = [
        "We need more information about it.",
        "If it rains, we stay at home today.",
        "Although it was late, we kept working hard.",
        "We discussed the plan for the weekend.",
        "I am very interested in modern art.",
        "Most people like music very much.",
    ]
    first = usage_error_pairs(sentences, 10, seed=0)
    assert len(first) == 6 and first == usage_error_pairs(sentences, 10, seed=0)
    assert {rules for _, _, rules in first} == {(rule,) for rule in USAGE_RULES}
    for noisy, clean, rules in first:
        assert clean in sentences and noisy != clean and len(rules) == 1
    pairs = load_dataset("usage-errors", "train").examples
    kinds = {e.source_id.split("/")[1] for e in pairs}
    assert kinds == set(USAGE_RULES)
