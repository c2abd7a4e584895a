from itune_core.segment import split_pieces


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
