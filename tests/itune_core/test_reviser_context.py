"""The reviser with tense context (itune_core.context), over a decoder that answers from a
table: the window is decoded as one more row, its tense fixes reach the sentences after
the past one, and those sentences show only once both their answers are in."""

from collections.abc import Sequence

from itune_core.decoding import Decoded
from itune_core.reviser import Reviser, ReviseSettings

STORY = "Last night we went to a concert. The band play very well. The crowd sing every song."
WINDOW_ANSWER = (
    "Last night we went to a concert. The band played very well. The crowd sang every song."
)


class TableDecoder:
    """Answers each row from ``answers`` (the row's text when absent), in the order the
    rows' texts are listed in ``order`` (the rest after, in row order)."""

    def __init__(self, answers: dict[str, str], order: Sequence[str] = ()) -> None:
        self.answers, self.order, self.rows = answers, list(order), []

    def row(self, piece, intentions, adapter=None):
        self.rows.append(piece)
        return piece

    def decode(self, rows, cancel=None):
        ranked = sorted(
            range(len(rows)),
            key=lambda k: self.order.index(rows[k]) if rows[k] in self.order else len(self.order),
        )
        for k in ranked:
            yield k, Decoded(self.answers.get(rows[k], rows[k]), tokens=3, cut_off=False)

    def scorer(self, row):
        return None

    def release(self, row):
        pass


def reviser(decoder: TableDecoder, **settings) -> Reviser:
    return Reviser(
        None,
        None,
        model_name="table",
        decoder=decoder,
        settings=ReviseSettings(min_edit_margin=None, **settings),
    )


def test_the_window_lends_its_past_tense_to_the_sentences_after_the_past_one():
    decoder = TableDecoder(
        {"The crowd sing every song.": "The crowd sings every song.", STORY: WINDOW_ANSWER}
    )
    revision = reviser(decoder).revise(STORY, ["fluency"])
    assert decoder.rows[-1] == STORY  # the three sentences, then the window
    assert len(decoder.rows) == 4
    assert revision.revised == WINDOW_ANSWER  # "sang" wins over the sentence's "sings"
    assert [(e.before, e.after) for e in revision.edits] == [("play", "played"), ("sing", "sang")]
    assert revision.generated_tokens == 12  # the window's tokens count too


def test_without_tense_context_no_window_is_decoded():
    decoder = TableDecoder({STORY: WINDOW_ANSWER})
    revision = reviser(decoder, tense_context=False).revise(STORY, ["fluency"])
    assert len(decoder.rows) == 3
    assert revision.revised == STORY


def test_a_later_sentence_shows_only_when_its_window_is_in():
    order = [
        "The band play very well.",
        "The crowd sing every song.",
        "Last night we went to a concert.",
        STORY,
    ]
    decoder = TableDecoder({STORY: WINDOW_ANSWER}, order)
    updates = list(reviser(decoder).stream(STORY, ["fluency"]))
    done = [u.pieces_done for u in updates]
    # nothing shows until the past sentence is in; the two later ones wait for the window
    assert done == [0, 1, 3, 3]
    assert updates[1].text == STORY
    assert updates[-2].text == WINDOW_ANSWER
    assert updates[-1].revision is not None and updates[-1].revision.revised == WINDOW_ANSWER


def test_the_window_answer_is_guarded_and_only_its_tense_fixes_are_used():
    # the window also rewrites the past sentence and changes a number: neither reaches
    # the text, which takes "played" only
    text = "Last night 300 people came. The band play very well."
    answer = "Last night 30 people arrived. The band played very good."
    revision = reviser(TableDecoder({text: answer})).revise(text, ["fluency"])
    assert revision.revised == "Last night 300 people came. The band played very well."
