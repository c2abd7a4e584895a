"""Batched revision generation that does what the app's Reviser does, for evaluation.

``itune_core.reviser.Reviser`` revises one piece at a time and streams tokens; scoring a
test split that way would take hours on a CPU. ``revise_texts`` revises many texts at
once and gives the same answers: the same pieces (``split_pieces``: sentence by sentence),
the same prompt (``generation_prompt`` in the model's chat template), greedy decoding,
the same stops for every row of a batch (end of turn; a line break when the piece has
none, through transformers' ``StopStringCriteria`` as the Reviser's ``stop_strings``;
the 8-gram loop guard; the length cap ``min(max_new_tokens, 1.5 * piece tokens + 16)``),
the same cleaning and guards (``accept_answer``: a cut-off or dissimilar answer keeps the
piece, the fact guard, the edits the model is unsure of left out). Prompts are padded on
the left, so every row's answer starts at the same position and positions come from the
attention mask.

    results = revise_texts(model, tokenizer, ["He go to school."], [("fluency",)],
                           settings=ReviseSettings(), batch_size=16)
    results[0].revised
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import torch
from transformers import StoppingCriteria, StoppingCriteriaList, StopStringCriteria

from itune_core.confidence import Scorer, sequence_logprobs
from itune_core.facts import HeldEdit
from itune_core.prompts import answer_token_ids, prompt_token_ids
from itune_core.reviser import ReviseSettings, accept_answer, clean_output
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


@dataclass(frozen=True)
class TextRevision:
    """One text revised piece by piece."""

    source: str
    revised: str
    pieces: tuple[PieceAnswer, ...]
    unguarded: str = ""

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
        return sum(p.tokens for p in self.pieces)

    @property
    def alternative_pieces(self) -> int:
        return sum(p.alternative for p in self.pieces)


class _RowStops(StoppingCriteria):
    """The Reviser's stops, per row of a batch, remembering where and why each row ended.

    A row ends at its end-of-turn token, at a line break (``stop``, only for rows whose
    piece has none), when its last ``n`` tokens already occurred among its earlier ones
    (the Reviser's ``_LoopStop``), or at its own length cap. Rows that ended are left
    alone; transformers pads them until the whole batch is done.
    """

    def __init__(
        self,
        prompt_width: int,
        budgets: Sequence[int],
        stop_at_newline: Sequence[bool],
        eos_ids: set[int],
        loop_ngram: int,
        newline_stop: StoppingCriteria | None,
    ) -> None:
        self.width, self.budgets, self.n = prompt_width, list(budgets), loop_ngram
        self.stop_at_newline, self.eos_ids, self.newline_stop = (
            stop_at_newline,
            eos_ids,
            newline_stop,
        )
        rows = len(budgets)
        self.ended_at: list[int | None] = [None] * rows  # generated tokens when the row ended
        self.looped_at: list[int | None] = [None] * rows
        self._seen: list[set[tuple[int, ...]]] = [set() for _ in range(rows)]

    def __call__(self, input_ids: torch.Tensor, scores, **kwargs) -> torch.Tensor:
        generated = input_ids[:, self.width :]  # (rows, tokens so far)
        length = generated.shape[1]
        newline = (
            self.newline_stop(input_ids, scores).tolist()
            if self.newline_stop is not None
            else [False] * len(self.budgets)
        )
        for row in range(len(self.budgets)):
            if self.ended_at[row] is not None:
                continue
            ids = generated[row].tolist()
            stop = ids[-1] in self.eos_ids or (self.stop_at_newline[row] and newline[row])
            # The loop guard: the last n tokens equal n tokens that end before them. One
            # new such n-gram becomes comparable per step (it starts at length - 2n).
            n = self.n
            if length >= 2 * n:
                start = length - 2 * n
                self._seen[row].add(tuple(ids[start : start + n]))
                if tuple(ids[-n:]) in self._seen[row]:
                    self.looped_at[row] = length - n
                    stop = True
            if stop or length >= self.budgets[row]:
                self.ended_at[row] = length
        return torch.tensor([e is not None for e in self.ended_at], device=input_ids.device)


class BatchReviser:
    """Revises pieces in batches with one model (and its active adapter, if any).

    Args:
        model: a causal LM or a PeftModel, in eval mode.
        tokenizer: its tokenizer (with a pad token).
        settings: the Reviser's generation settings.
    """

    def __init__(self, model: torch.nn.Module, tokenizer, settings: ReviseSettings) -> None:
        if tokenizer.pad_token_id is None:
            raise ValueError("the tokenizer has no pad token: set it (e.g. to its EOS) first")
        self.model, self.tokenizer, self.settings = model, tokenizer, settings
        eos = model.generation_config.eos_token_id
        eos = eos if isinstance(eos, list) else [eos]
        self.eos_ids = {i for i in [*eos, tokenizer.eos_token_id] if i is not None}
        # Built once: it pre-computes tables over the whole vocabulary.
        self.newline_stop = StopStringCriteria(tokenizer, ["\n"])

    def prompt_ids(self, piece: str, intentions: Sequence[str]) -> list[int]:
        """The token ids the Reviser feeds the model for ``piece``."""
        return prompt_token_ids(self.tokenizer, piece, intentions)

    def scorer(self, piece: str, intentions: Sequence[str]) -> Scorer:
        """Log-probabilities of answers to ``piece``'s prompt (the active adapter)."""
        prompt, tok = self.prompt_ids(piece, intentions), self.tokenizer

        def score(answers: Sequence[str]) -> list[float]:
            ids = [answer_token_ids(tok, answer) for answer in answers]
            return sequence_logprobs(self.model, prompt, ids, tok.pad_token_id)

        return score

    def budget(self, piece: str) -> int:
        """The Reviser's length cap for ``piece``, in tokens."""
        tokens = len(self.tokenizer(piece, add_special_tokens=False)["input_ids"])
        return min(self.settings.max_new_tokens, int(self.settings.length_factor * tokens) + 16)

    def _batch(
        self, pieces: Sequence[tuple[str, Sequence[str]]]
    ) -> tuple[torch.Tensor, torch.Tensor, list[int]]:
        """The pieces' prompts padded on the left (every answer starts at the same
        position), their attention mask, both (rows, width), and each piece's length cap."""
        prompts = [self.prompt_ids(piece, intentions) for piece, intentions in pieces]
        width = max(len(ids) for ids in prompts)
        input_ids = torch.full((len(prompts), width), self.tokenizer.pad_token_id, dtype=torch.long)
        mask = torch.zeros((len(prompts), width), dtype=torch.long)
        for row, ids in enumerate(prompts):
            input_ids[row, width - len(ids) :] = torch.tensor(ids)
            mask[row, width - len(ids) :] = 1
        return input_ids, mask, [self.budget(piece) for piece, _ in pieces]

    def _generate(
        self, input_ids, mask, max_new_tokens: int, stops: list, **search
    ) -> torch.Tensor:
        """``generate`` without sampling on a left-padded batch; returns only the answers'
        token ids (on the CPU), which all start at the prompt width."""
        device = next(self.model.parameters()).device
        with torch.inference_mode():
            out = self.model.generate(
                input_ids=input_ids.to(device),
                attention_mask=mask.to(device),
                max_new_tokens=max_new_tokens,
                do_sample=False,
                stopping_criteria=StoppingCriteriaList(stops),
                pad_token_id=self.tokenizer.pad_token_id,
                **search,
            )
        return out[:, input_ids.shape[1] :].cpu()

    def revise_pieces(self, pieces: Sequence[tuple[str, Sequence[str]]]) -> list[PieceAnswer]:
        """Revise a batch of ``(piece, intentions)`` together, in one ``generate`` call."""
        if not pieces:
            return []
        input_ids, mask, budgets = self._batch(pieces)
        width = input_ids.shape[1]
        stops = _RowStops(
            width,
            budgets,
            ["\n" not in piece for piece, _ in pieces],
            self.eos_ids,
            self.settings.loop_ngram,
            self.newline_stop,
        )
        generated = self._generate(input_ids, mask, max(budgets), [stops])  # (rows, longest)
        answers = []
        for row, (piece, wanted) in enumerate(pieces):
            end = stops.ended_at[row] if stops.ended_at[row] is not None else generated.shape[1]
            ids = generated[row, :end].tolist()
            answers.append(self._answer(piece, wanted, ids, budgets[row], stops.looped_at[row]))
        return answers

    def alternatives(
        self, pieces: Sequence[tuple[str, Sequence[str]]], beams: int
    ) -> list[PieceAnswer | None]:
        """For each ``(piece, intentions)``, the best beam-search answer that changes it.

        One ``generate`` call with ``beams`` beams returning all ``beams`` finished
        answers per piece, best score first; each answer goes through the Reviser's
        post-processing (line break, cleaning, cut-off and similarity guards), and the
        first one kept that differs from the piece is taken (None: every answer was
        discarded or equal to the piece). A looping beam runs into its length cap, which
        discards it, so the loop guard is not needed here. Pieces with a line break must
        not be mixed with pieces without one (the line-break stop is per call).
        """
        if not pieces:
            return []
        if len({"\n" in piece for piece, _ in pieces}) > 1:
            raise ValueError("pieces with and without line breaks need separate calls")
        input_ids, mask, budgets = self._batch(pieces)
        stops = [] if "\n" in pieces[0][0] else [self.newline_stop]
        generated = self._generate(
            input_ids,
            mask,
            max(budgets),
            stops,
            num_beams=beams,
            num_return_sequences=beams,
            early_stopping=True,
        )  # (rows * beams, longest answer), row-major
        ends = self.eos_ids | {self.tokenizer.pad_token_id}
        found: list[PieceAnswer | None] = []
        for row, (piece, wanted) in enumerate(pieces):
            best = None
            for k in range(beams):
                ids = generated[row * beams + k].tolist()
                end = next((i for i, t in enumerate(ids) if t in ends), None)
                ids = ids if end is None else ids[: end + (ids[end] in self.eos_ids)]
                answer = self._answer(piece, wanted, ids[: budgets[row]], budgets[row], None)
                if not answer.discarded and answer.revised != piece:
                    best = replace(answer, alternative=True)
                    break
            found.append(best)
        return found

    def _answer(
        self,
        piece: str,
        intentions: Sequence[str],
        ids: list[int],
        budget: int,
        looped_at: int | None,
    ) -> PieceAnswer:
        # The Reviser's post-processing, step for step (accept_answer is shared).
        used = len(ids)
        cut_off = used >= budget and (not ids or ids[-1] not in self.eos_ids)
        if looped_at is not None:
            ids = ids[:looped_at]
        text = self.tokenizer.decode(ids, skip_special_tokens=True)
        if "\n" not in piece:
            text = text.split("\n", 1)[0] if text.strip() else text
        answer = accept_answer(
            text, piece, cut_off, intentions, self.settings, self.scorer(piece, intentions)
        )
        return PieceAnswer(
            raw=text,
            revised=answer.text,
            tokens=used,
            cut_off=cut_off,
            discarded=answer.discarded,
            unguarded=piece if answer.discarded else clean_output(text, piece),
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


def assemble(text: str, spans: Sequence[tuple[int, int]], revised: Sequence[str]) -> str:
    """``text`` with each span replaced by its revision and the whitespace between kept."""
    parts, pos = [], 0
    for (a, b), piece in zip(spans, revised, strict=True):
        parts.append(text[pos:a])
        parts.append(piece)
        pos = b
    parts.append(text[pos:])
    return "".join(parts)


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
    on_batch: Callable[[int], None] | None = None,
    on_again: Callable[[int], None] | None = None,
) -> list[TextRevision]:
    """Revise every text for its intentions, the pieces of all texts batched together.

    Pieces are sorted by prompt length (longest first), so a batch wastes little padding
    and a batch too large for memory shows at once; the answers go back to their texts.

    Args:
        model: a causal LM or a PeftModel (its active adapter is used), in eval mode.
        tokenizer: its tokenizer, with a pad token.
        texts: the texts to revise.
        intentions: for each text, the intentions to revise it for.
        settings: the Reviser's generation settings.
        batch_size: pieces per ``generate`` call.
        unit: ``sentence`` (the app) or ``whole`` (each text in one piece).
        edit_beams: 0 (the app): greedy only. K > 1: the pieces whose greedy answer left
            them as they were are decoded again with K-beam search, and the best answer
            that changes the piece replaces it (``BatchReviser.alternatives``), about
            ``batch_size // K`` pieces per call.
        on_batch: called with the number of pieces after each batch (a progress bar),
            in both passes.
        on_again: called with the number of pieces to decode again before the beam pass.

    Returns:
        One ``TextRevision`` per text, in order.

    Raises:
        ValueError: lengths differ, a bad ``batch_size`` or ``unit``.
    """
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
    reviser = BatchReviser(model, tokenizer, settings)
    spans = [text_spans(text, unit) for text in texts]
    units = [(t, k) for t, text_pieces in enumerate(spans) for k in range(len(text_pieces))]
    piece_of = {(t, k): texts[t][a:b] for t, k in units for a, b in [spans[t][k]]}
    order = sorted(units, key=lambda u: -len(piece_of[u]))
    answers: dict[tuple[int, int], PieceAnswer] = {}
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        batch = [(piece_of[u], tuple(intentions[u[0]])) for u in chunk]
        for u, answer in zip(chunk, reviser.revise_pieces(batch), strict=True):
            answers[u] = answer
        if on_batch is not None:
            on_batch(len(chunk))
    if edit_beams:
        again = [u for u in order if answers[u].revised == piece_of[u]]
        if on_again is not None:
            on_again(len(again))
        per_call = max(1, batch_size // edit_beams)
        for lines in (True, False):  # the line-break stop is per call
            group = [u for u in again if ("\n" in piece_of[u]) == lines]
            for start in range(0, len(group), per_call):
                chunk = group[start : start + per_call]
                batch = [(piece_of[u], tuple(intentions[u[0]])) for u in chunk]
                for u, found in zip(chunk, reviser.alternatives(batch, edit_beams), strict=True):
                    if found is not None:
                        answers[u] = found
                if on_batch is not None:
                    on_batch(len(chunk))
    results = []
    for t, text in enumerate(texts):
        pieces = tuple(answers[(t, k)] for k in range(len(spans[t])))
        revised = assemble(text, spans[t], [p.revised for p in pieces])
        unguarded = assemble(text, spans[t], [p.unguarded for p in pieces])
        results.append(TextRevision(text, revised, pieces, unguarded))
    return results
