"""Word-level edits: exact offsets, and any subset applies to a well-formed text."""

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itune_core.edits import Edit, apply_edits, compute_edits, piecewise_edits

TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
WORDS = ["the", "cat", "sat", "big", "on", "mat", ",", ".", "(", ")", "don't", "é", "日本", "🙂"]
SEPARATORS = ["", " ", " ", " ", "  ", "\n"]


@st.composite
def texts(draw):
    parts = draw(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS))))
    lead = draw(st.sampled_from(["", " ", "\n"]))
    return lead + "".join(w + s for w, s in parts)


@st.composite
def text_pairs(draw):
    source = draw(texts())
    if draw(st.booleans()):
        return source, draw(texts())
    # A revision made by a few word-level changes, as models make them.
    tokens = re.findall(r"\S+|\s+", source)
    for _ in range(draw(st.integers(0, 4))):
        k = draw(st.integers(0, len(tokens)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        word = draw(st.sampled_from(WORDS))
        if action == "insert" or not tokens or k == len(tokens):
            tokens.insert(k, word + draw(st.sampled_from(SEPARATORS)))
        elif action == "delete":
            del tokens[k]
        else:
            tokens[k] = word
    return source, "".join(tokens)


@settings(max_examples=300, deadline=None)
@given(text_pairs())
def test_applying_all_edits_gives_the_revision(pair):
    source, revision = pair
    assert apply_edits(source, compute_edits(source, revision)) == revision


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text())
def test_applying_all_edits_gives_the_revision_for_any_unicode(source, revision):
    assert apply_edits(source, compute_edits(source, revision)) == revision


@settings(max_examples=200, deadline=None)
@given(text_pairs())
def test_applying_no_edit_gives_the_source(pair):
    source, revision = pair
    compute_edits(source, revision)
    assert apply_edits(source, []) == source


@settings(max_examples=300, deadline=None)
@given(text_pairs())
def test_edit_offsets_point_at_their_before_text(pair):
    source, revision = pair
    edits = compute_edits(source, revision)
    for edit in edits:
        assert source[edit.start_char_pos : edit.end_char_pos] == edit.before
        assert edit.before != edit.after
    spans = [(e.start_char_pos, e.end_char_pos) for e in edits]
    assert spans == sorted(spans)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


@settings(max_examples=300, deadline=None)
@given(text_pairs(), st.data())
def test_any_subset_of_edits_gives_a_well_formed_text(pair, data):
    source, revision = pair
    edits = compute_edits(source, revision)
    chosen = data.draw(st.sets(st.sampled_from(range(len(edits))))) if edits else set()
    result = apply_edits(source, [edits[k] for k in chosen])
    # Well-formed: its words and punctuation are exactly, in order, the source's outside
    # the edits and each edit's before or after (nothing glued, split or lost) ...
    expected, pos = [], 0
    for k, edit in enumerate(edits):
        expected += TOKEN.findall(source[pos : edit.start_char_pos])
        expected += TOKEN.findall(edit.after if k in chosen else edit.before)
        pos = edit.end_char_pos
    expected += TOKEN.findall(source[pos:])
    assert TOKEN.findall(result) == expected
    # ... and it has no run of spaces that neither text had.
    if "  " not in source and "  " not in revision:
        assert "  " not in result


def test_replacing_one_word_is_one_replace_edit():
    source = "He go to school yesterday."
    edits = compute_edits(source, "He went to school yesterday.", "fluency")
    assert edits == [Edit("R", "go", "went", 3, 5, "fluency")]


def test_inserting_a_word_is_an_add_edit_that_owns_its_space():
    edits = compute_edits("the cat sat", "the big cat sat")
    assert edits == [Edit("A", "", "big ", 4, 4)]


def test_deleting_a_comma_keeps_the_space_after_it():
    edits = compute_edits("cat, dog", "cat dog")
    assert edits == [Edit("D", ",", "", 3, 4)]
    assert apply_edits("cat, dog", edits) == "cat dog"


def test_whitespace_only_change_is_a_replace():
    edits = compute_edits("the  cat", "the cat")
    assert [e.type for e in edits] == ["R"]
    assert apply_edits("the  cat", edits) == "the cat"


def test_identical_texts_have_no_edits():
    assert compute_edits("Nothing to change here.", "Nothing to change here.") == []


def test_overlapping_edits_are_refused():
    edits = [Edit("R", "the cat", "a dog", 0, 7), Edit("R", "cat", "dog", 4, 7)]
    with pytest.raises(ValueError, match="overlapping"):
        apply_edits("the cat sat", edits)


def test_an_edit_that_does_not_match_the_source_is_refused():
    with pytest.raises(ValueError, match="does not match"):
        apply_edits("the cat sat", [Edit("R", "dog", "cow", 4, 7)])


def test_edit_rejects_unknown_type():
    with pytest.raises(ValueError, match=r"Edit\.type"):
        Edit("X", "a", "b", 0, 1)


# --- piece by piece (what the reviser does) --------------------------------------------------

SENTENCE = st.sampled_from(["The cat sat.", "It go home!", "We was happy .", "Why not?", "A b c."])


@given(
    sentences=st.lists(SENTENCE, min_size=1, max_size=8),
    seps=st.lists(st.sampled_from([" ", "  ", "\n", "\n\n"]), min_size=8, max_size=8),
    changes=st.lists(
        st.sampled_from([None, "The cats sat.", "It went home!", "", "Why?"]),
        min_size=8,
        max_size=8,
    ),
)
@settings(max_examples=200, deadline=None)
def test_piecewise_edits_rebuild_the_revision_and_stay_inside_their_pieces(
    sentences, seps, changes
):
    text, spans = "", []
    for k, sentence in enumerate(sentences):
        text += seps[k] if k else ""
        spans.append((len(text), len(text) + len(sentence)))
        text += sentence
    revised_pieces = [
        text[a:b] if changes[k] is None else changes[k] for k, (a, b) in enumerate(spans)
    ]
    edits = piecewise_edits(text, spans, revised_pieces, "fluency")
    rebuilt, pos = "", 0
    for (a, b), piece in zip(spans, revised_pieces, strict=True):
        rebuilt += text[pos:a] + piece
        pos = b
    assert apply_edits(text, edits) == rebuilt + text[pos:]
    for edit in edits:
        owner = [
            k
            for k, (a, b) in enumerate(spans)
            if a <= edit.start_char_pos <= edit.end_char_pos <= b
        ]
        assert owner and revised_pieces[owner[0]] != text[slice(*spans[owner[0]])]
        assert edit.intention == "fluency"
    assert [e.start_char_pos for e in edits] == sorted(e.start_char_pos for e in edits)


def test_an_edit_in_a_repeated_sentence_is_placed_in_the_sentence_that_changed():
    # One sentence pasted three times, the second revised: a diff of the whole text may
    # put the edit in any copy; piece by piece it is in the second.
    text = "We go home. We go home. We go home."
    spans = [(0, 11), (12, 23), (24, 35)]
    edits = piecewise_edits(text, spans, ["We go home.", "We went home.", "We go home."])
    assert [(e.type, e.before, e.after, e.start_char_pos) for e in edits] == [
        ("R", "go", "went", 15)
    ]


def test_piecewise_edits_of_one_piece_are_the_whole_text_diff():
    source, revised = "The result are good , we think.", "The results are good, we think."
    assert piecewise_edits(source, [(0, len(source))], [revised]) == compute_edits(source, revised)


def test_piecewise_edits_need_one_revision_per_piece():
    with pytest.raises(ValueError):
        piecewise_edits("One. Two.", [(0, 4), (5, 9)], ["One."])


def test_edits_touch_when_they_overlap_or_meet():
    from itune_core.edits import touch

    first, last = compute_edits("a b c", "x b y")  # "a" -> "x" at 0-1, "c" -> "y" at 4-5
    assert (first.start_char_pos, last.start_char_pos) == (0, 4)
    assert touch(first, first) and touch(last, last)
    assert not touch(first, last) and not touch(last, first)
    [inserted] = compute_edits("a b c", "a z b c")  # "z " inserted at 2, before "b"
    assert not touch(first, inserted)
    [replaced] = compute_edits("a b c", "a y c")  # "b" -> "y" at 2-3: meets the insertion
    assert touch(replaced, inserted) and touch(inserted, replaced)
