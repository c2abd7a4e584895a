"""itune_core.context: which sentences a past sentence lends its time to, and which edits
of the window's answer reach them."""

from hypothesis import given
from hypothesis import strategies as st

from itune_core.context import MAX_FOLLOWING, Window, tense_windows, with_tense_context
from itune_core.edits import HeldEdit
from itune_core.segment import split_pieces
from itune_core.tenses import tells_the_past


def windows(text: str) -> list[tuple[int, int]]:
    return [(w.first, w.last) for w in tense_windows(text, split_pieces(text))]


def test_a_past_sentence_opens_a_window_over_the_present_ones_after_it():
    assert windows("Last night we went out. The band play well. The crowd sing.") == [(0, 2)]
    assert windows("My brother work here. He help people.") == []  # nothing about the past
    assert windows("The band play well. Last night we went out.") == []  # nothing after it


def test_a_window_takes_at_most_two_sentences_after_its_first():
    text = "Yesterday I woke up late. I run. I miss the bus. I arrive late."
    assert MAX_FOLLOWING == 2
    assert windows(text) == [(0, 2)]


def test_a_window_ends_at_a_sentence_about_the_past_the_present_or_a_new_line():
    assert windows("Last year I learned to drive. Today I drive to work.") == []
    assert windows("Last year I moved. Now I live here. I work a lot.") == []
    assert windows("Last year I moved.\nI work a lot.") == []
    # a later past sentence opens its own window
    text = "Last year I moved. I work a lot. Then I met Ann. She help me."
    assert windows(text) == [(0, 1), (2, 3)]


def test_only_the_windows_tense_fixes_reach_the_later_sentences():
    text = "Last night we went to a concert. The band play good and the crowd sing."
    spans = split_pieces(text)
    window = Window(0, 1)
    answer = "Last night we went to a concert. The band played well and the crowd sang."
    own = {1: "The band play well and the crowd sings."}
    merged = with_tense_context(text, spans, window, answer, own)
    # "played" and "sang" come from the window (the diff keeps "play good" -> "played
    # well" as one edit, which comes whole); "sings", the sentence's own edit on the same
    # word, gives way
    assert merged[1].text == "The band played well and the crowd sang."
    fixes = [(f.before, f.after) for f in merged[1].fixes]
    assert fixes == [("play good", "played well"), ("sing", "sang")]


def test_an_edit_held_back_alone_that_the_window_puts_in_is_no_longer_held():
    text = "Last night we went to a concert. The band play well."
    spans = split_pieces(text)
    answer = "Last night we went to a concert. The band played well."
    [fixed] = with_tense_context(text, spans, Window(0, 1), answer, {1: text[33:]}).values()
    past = HeldEdit("play", "played", "puts the sentence into the past")
    other = HeldEdit("well", "good", "unsure")
    assert fixed.keep((past, other)) == (other,)


def test_a_window_answer_with_no_tense_fix_changes_nothing():
    text = "Last night we went to a concert. The band play good."
    spans = split_pieces(text)
    answer = "Last night we went to a show. The band plays well."  # no past form
    assert with_tense_context(text, spans, Window(0, 1), answer, {1: "The band play good."}) == {}
    # a later sentence whose own answer is not in yet is left for later
    fixed = "Last night we went to a concert. The band played good."
    assert with_tense_context(text, spans, Window(0, 1), fixed, {}) == {}


_SENTENCES = st.sampled_from(
    [
        "Last night we went out.",
        "The band play well.",
        "Yesterday I go home.",
        "Now I live here.",
        "She help me.",
        "We was happy.",
        "It rains a lot.",
    ]
)


@given(st.lists(st.tuples(_SENTENCES, st.sampled_from([" ", "\n"])), min_size=1, max_size=8))
def test_windows_are_ordered_apart_within_a_paragraph_and_start_in_the_past(parts):
    text = "".join(s + gap for s, gap in parts).strip()
    spans = split_pieces(text)
    found = tense_windows(text, spans)
    end = -1
    for window in found:
        assert end < window.first < window.last <= window.first + MAX_FOLLOWING
        end = window.last
        start, stop = window.span(spans)
        assert "\n" not in text[start:stop]
        assert tells_the_past(text[slice(*spans[window.first])])
        assert not any(tells_the_past(text[slice(*spans[k])]) for k in window.later())
        # the window's answer left as it was changes no sentence
        own = {k: text[slice(*spans[k])] for k in window.later()}
        assert with_tense_context(text, spans, window, text[start:stop], own) == {}


_WORDS = ["play", "played", "sing", "sang", "sings", "well", "good", "the", "a", "band", "we"]


@given(
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8),
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8),
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8),
)
def test_any_two_answers_merge_without_overlap_and_keep_every_fix_taken(
    later, window_words, own_words
):
    anchor = "Last night we went out."
    piece = " ".join(later) + "."
    text = f"{anchor} {piece}"
    spans = split_pieces(text)
    window_answer = f"{anchor} {' '.join(window_words)}."
    own_answer = " ".join(own_words) + "."
    merged = with_tense_context(text, spans, Window(0, 1), window_answer, {1: own_answer})
    for fixed in merged.values():
        # merging never fails (no two edits it applies overlap), and each fix taken is
        # one of the piece's words put in the past, found in the merged text
        assert fixed.fixes
        for fix in fixed.fixes:
            assert fix.after in fixed.text
            assert piece[fix.start_char_pos : fix.end_char_pos] == fix.before
