"""Evaluation puts a tense window's fixes into the sentences after the past one, as the app
does, and counts the sentences that took them."""

from itune_core.edits import HeldEdit
from itune_core.reviser import ReviseSettings
from itune_core.segment import split_pieces
from training.evaluate import output_counts
from training.generation import PieceAnswer, _text_revisions, text_windows

TEXT = "Last night we went to a concert. The band play very well."
WINDOW_ANSWER = "Last night we went to a concert. The band played very well."


def answer(text: str, **kwargs) -> PieceAnswer:
    return PieceAnswer(raw=text, revised=text, tokens=1, cut_off=False, discarded=False,
                       unguarded=text, **kwargs)  # fmt: skip


def test_the_window_fixes_the_later_sentence_and_is_counted():
    spans = split_pieces(TEXT)
    windows = text_windows(TEXT, spans, "sentence", ReviseSettings())
    assert len(windows) == 1
    held = HeldEdit("play", "played", "puts the sentence into the past")
    answers = {
        (0, 0): answer("Last night we went to a concert."),
        (0, 1): answer("The band play very well.", held=(held,)),
        (0, -1): answer(WINDOW_ANSWER),
    }
    [revision] = _text_revisions([TEXT], [spans], [windows], answers)
    assert revision.revised == WINDOW_ANSWER
    assert revision.context_pieces == 1
    assert revision.held_edits == 0  # "played" is in the text: no longer held back
    assert revision.generated_tokens == 3  # the window's tokens count
    counts = output_counts([TEXT], [revision.revised], [revision])
    assert counts["tense_context_pieces"] == 1


def test_no_window_when_tense_context_is_off_or_the_text_is_revised_whole():
    spans = split_pieces(TEXT)
    off = ReviseSettings(tense_context=False)
    assert text_windows(TEXT, spans, "sentence", off) == []
    assert text_windows(TEXT, [(0, len(TEXT))], "whole", ReviseSettings()) == []
