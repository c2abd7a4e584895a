"""Revising many texts at once for evaluation, with the app's decoder and guards.

``revise_texts`` splits every text into the app's pieces (``split_pieces``: sentence by
sentence, or each text whole), decodes the pieces of all texts together, longest first,
new pieces joining the running batch as others end (``BatchReviser.revise_joined``), with
the app's decoder (``itune_core.decoding.Decoder``: prompt, stops, loop guard, length
cap), and puts each answer through the app's post-processing (``accept_answer``: cleaning,
the cut-off and similarity guards, the fact guard, the edits the model is unsure of left
out), and, as the app does, decodes each tense window (a sentence that tells of the past
with the next ones, ``itune_core.context``) beside the pieces and puts its tense fixes into
them, so what ``evaluate`` scores is what a writer gets. Evaluation adds one decoding
option the app does not use: beam search for the pieces greedy left unchanged
(``edit_beams``).

    results = revise_texts(model, tokenizer, ["He go to school."], [("fluency",)],
                           settings=ReviseSettings(), batch_size=16)
    results[0].revised
"""

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

import torch

from itune_core.context import Window, tense_windows, with_tense_context
from itune_core.decoding import Decoded, Row
from itune_core.edits import HeldEdit
from itune_core.prompts import DEFAULT_PROMPT_FORMAT
from itune_core.reviser import ReviseSettings, accept_answer, clean_output, settings_decoder
from itune_core.segment import split_pieces

UNITS: tuple[str, ...] = ("sentence", "whole")


@dataclass(frozen=True)
class PieceAnswer:
    """What the model answered for one piece.

    Attributes:
        raw: the decoded answer (first line for a piece without line breaks), uncleaned.
        revised: what the Reviser puts in the text: the cleaned answer, or the piece.
        tokens: tokens generated (the stopping token included).
        cut_off: the length cap ended the answer.
        discarded: the answer was cut off or too unlike the piece, so the piece was kept.
        alternative: the greedy answer left the piece as it was, and this is the best
            beam-search answer that changes it (``edit_beams``).
        unguarded: what ``revised`` would be without the fact guard.
        held: the edits the fact guard held back (``itune_core.facts``).
        unsure: the edits left out because the model was unsure of them
            (``itune_core.confidence``).
        from_context: the piece took tense fixes from its tense window
            (``itune_core.context``).
    """

    raw: str
    revised: str
    tokens: int
    cut_off: bool
    discarded: bool
    alternative: bool = False
    unguarded: str = ""
    held: tuple[HeldEdit, ...] = ()
    unsure: tuple[HeldEdit, ...] = ()
    from_context: bool = False


@dataclass(frozen=True)
class TextRevision:
    """One text revised piece by piece."""

    source: str
    revised: str
    pieces: tuple[PieceAnswer, ...]
    unguarded: str = ""
    context: tuple[PieceAnswer, ...] = ()  # the answers for its tense windows

    @property
    def held_edits(self) -> int:
        return sum(len(p.held) for p in self.pieces)

    @property
    def unsure_edits(self) -> int:
        return sum(len(p.unsure) for p in self.pieces)

    @property
    def discarded_pieces(self) -> int:
        return sum(p.discarded for p in self.pieces)

    @property
    def generated_tokens(self) -> int:
        return sum(p.tokens for p in (*self.pieces, *self.context))

    @property
    def context_pieces(self) -> int:
        return sum(p.from_context for p in self.pieces)

    @property
    def alternative_pieces(self) -> int:
        return sum(p.alternative for p in self.pieces)


class BatchReviser:
    """Revises pieces in batches with one model (and its active adapter, if any), through
    the app's decoder (``itune_core.decoding``) and post-processing (``accept_answer``).

    Args:
        model: a causal LM or a PeftModel, in eval mode.
        tokenizer: its tokenizer (with a pad token).
        settings: the Reviser's generation settings.
        prompt_format: the active adapter's prompt format (``AdapterBundle.prompt_format``);
            the base model is always prompted in the default one.
    """

    def __init__(
        self,
        model: torch.nn.Module,
        tokenizer,
        settings: ReviseSettings,
        prompt_format: str = DEFAULT_PROMPT_FORMAT,
    ) -> None:
        self.settings = settings
        self.decoder = settings_decoder(model, tokenizer, settings)
        # The adapter a PeftModel has active (evaluate attaches one); None: the base model.
        active = (
            getattr(model, "active_adapter", None) if getattr(model, "peft_config", None) else None
        )
        self.adapter = active if isinstance(active, str) else None
        if self.adapter is not None:
            self.decoder.use_prompt_format(self.adapter, prompt_format)

    def rows(self, pieces: Sequence[tuple[str, Sequence[str]]]) -> list[Row]:
        return [self.decoder.row(piece, wanted, self.adapter) for piece, wanted in pieces]

    def revise_pieces(self, pieces: Sequence[tuple[str, Sequence[str]]]) -> list[PieceAnswer]:
        """Revise a batch of ``(piece, intentions)`` together, in one ``generate`` call."""
        rows = self.rows(pieces)
        decoded = self.decoder.generate(rows)
        return [
            self._answer(piece, wanted, row, answer)
            for (piece, wanted), row, answer in zip(pieces, rows, decoded, strict=True)
        ]

    def revise_joined(
        self,
        pieces: Sequence[tuple[str, Sequence[str]]],
        max_rows: int,
        on_done: Callable[[int], None] | None = None,
    ) -> list[PieceAnswer]:
        """Revise ``(piece, intentions)`` pairs, at most ``max_rows`` in the model at once:
        the first ``max_rows`` start together, and as rows end the next pieces, in order,
        join the running batch (``Decoder.generate``'s ``more``, as the app's scheduler
        does), so one long answer does not hold up the pieces after it. They join once a
        quarter of the batch is free (or none runs), so each join's prompt pass serves
        several. Answers are the same as ``revise_pieces`` gives (in fp32, tested).

        ``on_done(n)`` is called with the number of pieces finished since its last call (a
        progress bar).
        """
        if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1:
            raise ValueError(f"max_rows must be a positive integer, got {max_rows!r}")
        answers: list[PieceAnswer | None] = [None] * len(pieces)
        ended: list[tuple[int, Decoded]] = []
        waiting = iter(range(len(pieces)))
        rows = self.rows([pieces[k] for k in itertools.islice(waiting, max_rows)])
        free_at = max(1, max_rows // 4)

        def finish() -> None:  # post-processing (scoring the edits) of the rows that ended
            for k, decoded in ended:
                answers[k] = self._answer(*pieces[k], rows[k], decoded)
            if ended and on_done is not None:
                on_done(len(ended))
            ended.clear()

        def more(running: int) -> list[tuple[Row, None]]:
            finish()
            if running and max_rows - running < free_at:
                return []
            added = self.rows([pieces[k] for k in itertools.islice(waiting, max_rows - running)])
            rows.extend(added)  # numbered after the rows before them, as generate numbers them
            return [(row, None) for row in added]

        if rows:
            self.decoder.generate(
                list(rows), on_answer=lambda k, decoded: ended.append((k, decoded)), more=more
            )
        finish()
        assert all(answer is not None for answer in answers)
        return answers  # type: ignore[return-value]

    def beam_answers(
        self, pieces: Sequence[tuple[str, Sequence[str]]], beams: int
    ) -> list[list[PieceAnswer]]:
        """For each ``(piece, intentions)``, the ``beams`` answers of one beam search, best
        score first, each through the Reviser's post-processing (line break, cleaning,
        cut-off and similarity guards, fact and connector guards, and the confidence
        threshold where the settings have one).

        One ``generate`` call with ``beams`` beams returning all ``beams`` finished
        answers per piece. A looping beam runs into its length cap, which discards it, so
        the loop guard is not needed here. Pieces with a line break must not be mixed with
        pieces without one (the line-break stop is per call).
        """
        if not pieces:
            return []
        if len({"\n" in piece for piece, _ in pieces}) > 1:
            raise ValueError("pieces with and without line breaks need separate calls")
        rows = self.rows(pieces)
        stops = [] if "\n" in pieces[0][0] else [self.decoder.newline_stop]
        generated = self.decoder.generate_ids(
            rows, stops, num_beams=beams, num_return_sequences=beams, early_stopping=True
        )  # (rows * beams, longest answer), row-major
        ends = self.decoder.eos_ids | {self.decoder.tokenizer.pad_token_id}
        found: list[list[PieceAnswer]] = []
        for k, ((piece, wanted), row) in enumerate(zip(pieces, rows, strict=True)):
            answers = []
            for b in range(beams):
                ids = generated[k * beams + b].tolist()
                end = next((i for i, t in enumerate(ids) if t in ends), None)
                ids = ids if end is None else ids[: end + (ids[end] in self.decoder.eos_ids)]
                decoded = self.decoder.answer(row, ids[: row.budget])
                answers.append(self._answer(piece, wanted, row, decoded))
            found.append(answers)
        return found

    def alternatives(
        self, pieces: Sequence[tuple[str, Sequence[str]]], beams: int
    ) -> list[PieceAnswer | None]:
        """For each ``(piece, intentions)``, the best beam-search answer that changes it:
        the first of its ``beam_answers`` kept that differs from the piece (None: every
        answer was discarded or equal to the piece)."""
        return [
            next(
                (
                    replace(answer, alternative=True)
                    for answer in answers
                    if not answer.discarded and answer.revised != piece
                ),
                None,
            )
            for (piece, _), answers in zip(pieces, self.beam_answers(pieces, beams), strict=True)
        ]

    def _answer(
        self, piece: str, intentions: Sequence[str], row: Row, decoded: Decoded
    ) -> PieceAnswer:
        # The Reviser's post-processing, step for step (accept_answer is shared).
        answer = accept_answer(
            decoded.text,
            piece,
            decoded.cut_off,
            intentions,
            self.settings,
            self.decoder.scorer(row),
        )
        self.decoder.release(row)
        return PieceAnswer(
            raw=decoded.text,
            revised=answer.text,
            tokens=decoded.tokens,
            cut_off=decoded.cut_off,
            discarded=answer.discarded,
            unguarded=piece if answer.discarded else clean_output(decoded.text, piece),
            held=answer.held,
            unsure=answer.unsure,
        )


def text_spans(text: str, unit: str) -> list[tuple[int, int]]:
    """The pieces of ``text`` revised one at a time: its sentences (``sentence``, what the
    app does) or the whole text without surrounding whitespace (``whole``)."""
    if unit == "sentence":
        return split_pieces(text)
    if unit == "whole":
        stripped = text.strip()
        start = len(text) - len(text.lstrip())
        return [(start, start + len(stripped))] if stripped else []
    raise ValueError(f"unit must be one of {', '.join(UNITS)}, got {unit!r}")


def text_windows(
    text: str, spans: Sequence[tuple[int, int]], unit: str, settings: ReviseSettings
) -> list[Window]:
    """The tense windows decoded beside ``text``'s pieces (``itune_core.context``): none
    for a text revised whole or where ``settings`` turn tense context off."""
    return tense_windows(text, spans) if unit == "sentence" and settings.tense_context else []


def assemble(text: str, spans: Sequence[tuple[int, int]], revised: Sequence[str]) -> str:
    """``text`` with each span replaced by its revision and the whitespace between kept."""
    parts, pos = [], 0
    for (a, b), piece in zip(spans, revised, strict=True):
        parts.append(text[pos:a])
        parts.append(piece)
        pos = b
    parts.append(text[pos:])
    return "".join(parts)


Piece = tuple[int, int]  # (text, piece of that text)


def revise_texts(
    model: torch.nn.Module,
    tokenizer,
    texts: Sequence[str],
    intentions: Sequence[Sequence[str]],
    *,
    settings: ReviseSettings,
    batch_size: int,
    unit: str = "sentence",
    edit_beams: int = 0,
    prompt_format: str = DEFAULT_PROMPT_FORMAT,
    on_rows: Callable[[int], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
    on_again: Callable[[int], None] | None = None,
) -> list[TextRevision]:
    """Revise every text for its intentions, the pieces of all texts batched together.

    Pieces are sorted by prompt length (longest first), so a batch wastes little padding
    and a batch too large for memory shows at once; the greedy pass keeps up to
    ``batch_size`` rows running, the next pieces joining as rows end
    (``BatchReviser.revise_joined``); the answers go back to their texts.

    Args:
        model: a causal LM or a PeftModel (its active adapter is used), in eval mode.
        tokenizer: its tokenizer, with a pad token.
        texts: the texts to revise.
        intentions: for each text, the intentions to revise it for.
        settings: the Reviser's generation settings.
        batch_size: rows in the model at once.
        unit: ``sentence`` (the app) or ``whole`` (each text in one piece).
        edit_beams: 0 (the app): greedy only. K > 1: the pieces whose greedy answer left
            them as they were are decoded again with K-beam search, and the best answer
            that changes the piece replaces it (``BatchReviser.alternatives``), about
            ``batch_size // K`` pieces per call.
        prompt_format: the active adapter's prompt format (``BatchReviser``).
        on_rows: called once, before decoding, with the number of rows of the greedy pass
            (every piece and tense window; a progress bar's total).
        on_batch: called with the number of pieces finished since its last call (a
            progress bar), in both passes.
        on_again: called with the number of pieces to decode again before the beam pass.

    Returns:
        One ``TextRevision`` per text, in order.

    Raises:
        ValueError: lengths differ, a bad ``batch_size`` or ``unit``.
    """
    _check_revise_arguments(texts, intentions, batch_size, edit_beams)
    reviser = BatchReviser(model, tokenizer, settings, prompt_format)
    spans = [text_spans(text, unit) for text in texts]
    units = [(t, k) for t, text_pieces in enumerate(spans) for k in range(len(text_pieces))]
    piece_of = {(t, k): texts[t][a:b] for t, k in units for a, b in [spans[t][k]]}
    # a text's tense windows (itune_core.context) decode beside its pieces, as (t, -1 - w)
    windows = [text_windows(text, spans[t], unit, settings) for t, text in enumerate(texts)]
    for t, found in enumerate(windows):
        for w, window in enumerate(found):
            units.append((t, -1 - w))
            piece_of[(t, -1 - w)] = texts[t][slice(*window.span(spans[t]))]
    order = sorted(units, key=lambda u: -len(piece_of[u]))
    if on_rows is not None:
        on_rows(len(order))

    def batch(chunk: list[Piece]) -> list[tuple[str, tuple[str, ...]]]:
        return [(piece_of[u], tuple(intentions[u[0]])) for u in chunk]

    greedy = reviser.revise_joined(batch(order), batch_size, on_batch)
    answers: dict[Piece, PieceAnswer] = dict(zip(order, greedy, strict=True))
    if edit_beams:
        again = [u for u in order if u[1] >= 0 and answers[u].revised == piece_of[u]]
        if on_again is not None:
            on_again(len(again))
        per_call = max(1, batch_size // edit_beams)
        for chunk in _beam_chunks(again, piece_of, per_call):
            for u, found in zip(chunk, reviser.alternatives(batch(chunk), edit_beams), strict=True):
                if found is not None:
                    answers[u] = found
            if on_batch is not None:
                on_batch(len(chunk))
    return _text_revisions(texts, spans, windows, answers)


def _check_revise_arguments(
    texts: Sequence[str], intentions: Sequence[Sequence[str]], batch_size: int, edit_beams: int
) -> None:
    if len(texts) != len(intentions):
        raise ValueError(f"{len(texts)} texts but {len(intentions)} intention lists")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if (
        isinstance(edit_beams, bool)
        or not isinstance(edit_beams, int)
        or not (edit_beams == 0 or edit_beams >= 2)
    ):
        raise ValueError(f"edit_beams must be 0 (off) or at least 2, got {edit_beams!r}")


def _beam_chunks(
    again: list[Piece], piece_of: dict[Piece, str], per_call: int
) -> Iterator[list[Piece]]:
    """The pieces to decode again, ``per_call`` at a time: those with line breaks apart
    from the others, since the line-break stop is per call."""
    for lines in (True, False):
        group = [u for u in again if ("\n" in piece_of[u]) == lines]
        for start in range(0, len(group), per_call):
            yield group[start : start + per_call]


def _text_revisions(
    texts: Sequence[str],
    spans: list[list[tuple[int, int]]],
    windows: list[list[Window]],
    answers: dict[Piece, PieceAnswer],
) -> list[TextRevision]:
    """Each text put back together from its pieces' answers, with its windows' tense
    fixes (``itune_core.context``) in them."""
    results = []
    for t, text in enumerate(texts):
        pieces = [answers[(t, k)] for k in range(len(spans[t]))]
        context = tuple(answers[(t, -1 - w)] for w in range(len(windows[t])))
        for window, found in zip(windows[t], context, strict=True):
            own = {k: pieces[k].revised for k in window.later()}
            fixed = with_tense_context(text, spans[t], window, found.revised, own)
            unguarded = {k: pieces[k].unguarded for k in window.later()}
            before = with_tense_context(text, spans[t], window, found.unguarded, unguarded)
            for k, merged in fixed.items():
                pieces[k] = replace(
                    pieces[k],
                    revised=merged.text,
                    unguarded=before[k].text if k in before else pieces[k].unguarded,
                    held=merged.keep(pieces[k].held),
                    unsure=merged.keep(pieces[k].unsure),
                    from_context=True,
                )
        revised = assemble(text, spans[t], [p.revised for p in pieces])
        unguarded = assemble(text, spans[t], [p.unguarded for p in pieces])
        results.append(TextRevision(text, revised, tuple(pieces), unguarded, context))
    return results
