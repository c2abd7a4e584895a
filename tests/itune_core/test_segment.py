import re

from hypothesis import given
from hypothesis import strategies as st

from itune_core import segment
from itune_core.segment import split_pieces

# The pieces a hostile or unusual text is made of: words in both cases, every kind of stop,
# quotes and brackets, initials, list numbers, abbreviations and whitespace of every kind.
PARTS = st.sampled_from(
    ["she", "Then", "i", "word", ".", "...", "…", "?", "!", "?!", '"', "”", "'", ")", "(",
     "U.S.", "p.m.", "1.", "10.", "e.g.", "J.", " ", "  ", "\n", "\n\n", "\t", "\r\n"]
)  # fmt: skip


def pieces(text):
    return [text[a:b] for a, b in split_pieces(text)]


def test_sentences_and_paragraphs_become_pieces():
    text = "First one. Second one!\n\nThird paragraph? Yes."
    assert pieces(text) == ["First one.", "Second one!", "Third paragraph?", "Yes."]


def test_abbreviations_and_initials_do_not_end_a_sentence():
    assert pieces("See e.g. Fig. 2 by J. Smith. Done.") == ["See e.g. Fig. 2 by J. Smith.", "Done."]


def test_whitespace_between_pieces_is_kept_out_of_them():
    text = "  One.   Two.\n"
    spans = split_pieces(text)
    assert [text[a:b] for a, b in spans] == ["One.", "Two."]
    assert text[: spans[0][0]] == "  " and text[spans[0][1] : spans[1][0]] == "   "


def test_blank_text_has_no_pieces():
    assert split_pieces(" \n\t ") == []


def test_a_text_without_final_stop_is_one_piece():
    assert pieces("no full stop at the end") == ["no full stop at the end"]


def test_only_the_word_just_before_a_dot_decides_an_abbreviation():
    # A word far longer than any abbreviation ends its sentence even when it ends in one,
    # and a text of many sentences splits at every one of them.
    long_word = "x" * 100 + "etc"
    assert pieces(f"See the {long_word}. Next one.") == [f"See the {long_word}.", "Next one."]
    assert pieces("We compare e.g. two runs. Done.") == ["We compare e.g. two runs.", "Done."]
    text = " ".join(["The cat sat on the mat."] * 2000)
    assert len(split_pieces(text)) == 2000


def test_a_dialogue_tag_stays_with_its_quotation():
    # Revised alone, "she asked." came back as "She asked."
    text = '"Why are you late?" she asked. "I missed the bus," he said.'
    assert pieces(text) == ['"Why are you late?" she asked.', '"I missed the bus," he said.']
    assert pieces("'Stop!' he shouted. (It was late.) we left.") == [
        "'Stop!' he shouted.",
        "(It was late.) we left.",
    ]


def test_a_trailing_off_ellipsis_continues_before_a_lowercase_word():
    assert pieces("I waited... and waited, but nobody came.") == [
        "I waited... and waited, but nobody came."
    ]
    assert pieces("It fell… and broke. The shooting [...] of a man.") == [
        "It fell… and broke.",
        "The shooting [...] of a man.",
    ]
    # before a capital, or across a line break, an ellipsis still ends the piece
    assert pieces("I waited... Nobody came.") == ["I waited...", "Nobody came."]
    assert pieces("I waited...\nand waited.") == ["I waited...", "and waited."]


def test_initials_with_dots_do_not_end_a_sentence():
    text = "The U.S. economy grew in 2021. We left at 5 p.m. and went home."
    assert pieces(text) == ["The U.S. economy grew in 2021.", "We left at 5 p.m. and went home."]


def test_a_lowercase_start_after_a_bare_stop_is_still_a_new_sentence():
    # learners write sentences with lowercase starts: each is revised as a sentence
    assert pieces("i went home. then i ate! wow? yes.") == [
        "i went home.",
        "then i ate!",
        "wow?",
        "yes.",
    ]


def test_a_list_items_number_stays_with_its_item():
    # alone, "1." was a piece of its own, sent to the model as a sentence
    text = "1. The first step is easy.\n2. The second one needs care. It takes 10."
    assert pieces(text) == [
        "1. The first step is easy.",
        "2. The second one needs care.",
        "It takes 10.",
    ]


@given(st.lists(PARTS, max_size=40).map("".join))
def test_pieces_are_stripped_ordered_single_line_spans_that_cover_every_word(text):
    spans = split_pieces(text)
    end = 0
    for a, b in spans:
        assert end <= a < b <= len(text)
        piece = text[a:b]
        assert piece == piece.strip() and "\n" not in piece
        assert not text[end:a].strip()  # only whitespace lies between pieces
        end = b
    assert not text[end:].strip()


# The sentence ends as first written, before the run of stops was taken whole (the same
# ends, found in time quadratic in a run's length).
_BACKTRACKING_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|\n")


@given(st.lists(PARTS, max_size=40).map("".join))
def test_taking_a_run_of_stops_whole_finds_the_same_ends(text):
    assert [m.span() for m in segment._END.finditer(text)] == [
        m.span() for m in _BACKTRACKING_END.finditer(text)
    ]


def test_a_long_run_of_stops_is_one_ending():
    text = "Why" + "?" * 20_000 + " Because" + "." * 20_000
    assert pieces(text) == ["Why" + "?" * 20_000, "Because" + "." * 20_000]
