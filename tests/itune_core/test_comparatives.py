"""Comparatives: a double comparative or superlative loses "more"/"most", "more" before a
short adjective that ends its phrase takes the adjective's comparative, "the most" its
superlative; quantities, long adjectives and adjectives off the list stay."""

from itune_core.comparatives import ADJECTIVES, mend_comparatives
from itune_core.mechanics import fix_mechanics


def test_comparatives_built_with_more_and_most_take_the_adjective_s_own_forms():
    for text, expected in [
        ("Their house is more bigger than ours, but it is more old.",
         "Their house is bigger than ours, but it is older."),
        ("It is the most big building in town.", "It is the biggest building in town."),
        ("It is the most biggest building.", "It is the biggest building."),
        ("This one is more better.", "This one is better."),
        ("She is more tall than me.", "She is taller than me."),
    ]:  # fmt: skip
        assert mend_comparatives(text) == expected, text


def test_quantities_and_other_adjectives_stay():
    for text in [
        "I want more fast food.",  # a quantity of fast food
        "Most old people like it.",
        "The most important thing is more interesting than that.",  # not on the list
        "It was more fun than work.",  # "funner" is not usual
        "a more cheap car than mine",  # the noun between: left to the model
    ]:
        assert mend_comparatives(text) == text, text


def test_every_adjective_has_both_forms_and_only_fluency_asks_for_them():
    assert all(mend_comparatives(f"It is more {a}.") != f"It is more {a}." for a in ADJECTIVES)
    text = "It is more old."
    assert fix_mechanics(text, ["fluency"]) == "It is older."
    assert fix_mechanics(text, ["style"]) == text
