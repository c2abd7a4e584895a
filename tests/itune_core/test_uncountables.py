"""Uncountable nouns: a plural made the noun, "many" made "a lot of" (or "much"), "a"/"an"
made "some" where the noun ends its phrase; compounds, measures and other nouns stay."""

from itune_core.mechanics import fix_mechanics
from itune_core.uncountables import mend_uncountables


def test_a_counted_uncountable_is_mended():
    for text, expected in [
        ("The shop sells many furnitures for the kitchen.",
         "The shop sells a lot of furniture for the kitchen."),
        ("He gave me an advice about my job.", "He gave me some advice about my job."),
        ("How many luggages can I take on the plane?", "How much luggage can I take on the plane?"),
        ("The teacher gave us many useful advices before the exam.",
         "The teacher gave us a lot of useful advice before the exam."),
        ("I have too many homeworks this week.", "I have too much homework this week."),
        ("We need more informations.", "We need more information."),
        ("An advice: rest.", "Some advice: rest."),
        ("We have a very good news for you.", "We have some very good news for you."),
        ("I heard a news on the radio.", "I heard some news on the radio."),
    ]:  # fmt: skip
        assert mend_uncountables(text) == expected, text


def test_compounds_measures_and_other_nouns_stay():
    for text in [
        "We built a knowledge graph and a feedback loop.",  # a kind of thing
        "Many information systems exist.",
        "She gave me a little advice and a bit of information.",
        "He has many friends and an idea.",
        "a lot of homework",
        "The news agency sent a reporter and wrote a news story.",
    ]:
        assert mend_uncountables(text) == text, text


def test_the_mechanical_fixes_make_it_only_under_fluency():
    text = "He gave me an advice about my job."
    assert fix_mechanics(text, ["fluency"]) == "He gave me some advice about my job."
    assert fix_mechanics(text, ["clarity"]) == text
