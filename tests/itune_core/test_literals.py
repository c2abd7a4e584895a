"""The literal guard: an edit that changes a character of an address, a file name, inline
code or an identifier is held back under every intention; the rest of the answer stays."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itune_core.literals import guard_literals, literal_spans
from itune_core.reviser import ReviseSettings, accept_answer


@pytest.mark.parametrize(
    ("text", "literals"),
    [
        (
            "Visit https://www.recieve-help.org/adress, then",
            ["https://www.recieve-help.org/adress"],
        ),
        ("Write to suport@helpdesk.com.", ["suport@helpdesk.com"]),
        ("Follow @travel_lovr and #bestfoodz now", ["@travel_lovr", "#bestfoodz"]),
        ("Open ~/Documents/anual.pdf or ./run.sh", ["~/Documents/anual.pdf", "./run.sh"]),
        ("It reads data/raw/list.txt daily", ["data/raw/list.txt"]),
        ("Run `pip instal requests` first", ["`pip instal requests`"]),
        ("Set max_lenght and TotalAmmount", ["max_lenght"]),
        ("Call get_usr_data() and np.mean(x).", ["get_usr_data()", "np.mean(x)"]),
        ("The site cheep-flights.net works", ["cheep-flights.net"]),
        ("(see https://a.org/x).", ["https://a.org/x"]),
    ],
)
def test_literals_are_found_without_the_punctuation_after_them(text, literals):
    assert [text[a:b] for a, b in literal_spans(text)] == literals


@pytest.mark.parametrize(
    "text",
    [
        "He and/or she drove at 50 km/h.",
        "# Meeting notes",
        "The U.S. economy grew 2.5% in 2019.",
        "See Fig. 3 and Eq. (2), e.g. this one.",
        "Read the text.It is long.",
        "It costs $12,000 (was $10,000).",
        "I went home.it was late, in 12/05/2024.",
        "Each student(s) and approach(es) / or not, in 73(4), by the model(BERT).",
    ],
)
def test_ordinary_prose_holds_no_literal(text):
    assert literal_spans(text) == []


def test_an_edit_inside_a_literal_is_held_back_and_the_grammar_fix_beside_it_kept():
    source = "Call get_usr_data() before you calls save_reslts()."
    answer = "Call get_user_data() before you call save_results()."
    offered, held = guard_literals(source, answer, ["fluency"])
    assert offered == "Call get_usr_data() before you call save_reslts()."
    assert [(h.before, h.after) for h in held] == [
        ("get_usr_data()", "get_user_data()"),
        ("save_reslts()", "save_results()"),
    ]
    assert "literal" in held[0].reason


def test_part_of_a_literal_dropped_is_held_back():
    source = "Get it from https://x.org/data/v2 today."
    assert guard_literals(source, "Get it from https://x.org today.", ["clarity"])[0] == source


def test_it_holds_under_every_intention():
    source = "Run `pip instal requests` now."
    answer = "Run `pip install requests` now."
    for intentions in (["fluency"], ["clarity", "style"], ["coherence"], ["meaning-changed"]):
        assert guard_literals(source, answer, intentions)[0] == source


def test_edits_at_a_literals_edge_or_away_from_it_pass_and_so_does_dropping_one_whole():
    for source, answer in [
        ("See a.com or b.com for more.", "See a.com for more."),
        ("visit https://a.org/x for more", "visit https://a.org/x for more details"),
        ("Visit https://a.org/x", "Please visit https://a.org/x."),
        ("Send you're mail to a@b.com", "Send your mail to a@b.com"),
        ("He and/or she go home.", "He and/or she goes home."),
    ]:
        assert guard_literals(source, answer, ["fluency"]) == (answer, ()), source


def test_the_reviser_applies_it_and_it_can_be_switched_off():
    source = "The option max_lenght control the line."
    answer = "The option max_length controls the line."
    guarded = accept_answer(answer, source, False, ["fluency"], ReviseSettings())
    assert guarded.text == "The option max_lenght controls the line."
    assert len(guarded.held) == 1
    off = ReviseSettings(literal_guard=False)
    assert accept_answer(answer, source, False, ["fluency"], off).text == answer


LITERALS = ["https://x.org/a_b", "me@site.com", "`a b`", "run_it()", "my_var", "#tag"]
WORDS = ["the", "it", "go", "goes", "we", "and", ",", "."]


@given(
    st.lists(st.sampled_from(LITERALS + WORDS), min_size=1, max_size=10),
    st.lists(st.sampled_from([*WORDS, "x", "y_z", "Z"]), min_size=0, max_size=10),
    st.integers(min_value=0, max_value=9),
)
def test_every_literal_of_the_source_reaches_the_writer_unchanged(words, noise, at):
    """Whatever the answer does (words inserted anywhere, characters of a literal
    changed), each of the source's literals is in the offered text as written."""
    source = " ".join(words)
    answer_words = [w.replace("a", "e").replace("_", "") for w in words]
    answer_words[at % len(words) : at % len(words)] = noise
    answer = " ".join(answer_words)
    offered, _ = guard_literals(source, answer, ["fluency"])
    for a, b in literal_spans(source):
        assert source[a:b] in offered


def test_a_literal_moved_and_changed_is_not_passed_as_one_deleted():
    # the diff aligns "and" with the "and" the answer moved, so the address looks deleted
    # whole and its changed copy inserted elsewhere (found by the property above)
    source = "and https://x.org/a_b me@site.com"
    offered, held = guard_literals(source, "end https://x.org/eb and me@site.com", ["fluency"])
    assert offered == source
    assert [(h.before, h.after) for h in held] == [
        ("", "end https://x.org/eb "),
        ("https://x.org/a_b ", ""),
    ]
    # with no new literal in the answer, a literal deleted whole still passes
    assert guard_literals("See https://x.org/a for more.", "See more.", ["fluency"]) == (
        "See more.",
        (),
    )
