"""Revising a text for a set of intentions with a causal LM, streamed piece by piece.

A text is split into sentences (``segment.split_pieces``); each piece is revised with the
method's generation prompt in the model's chat template, greedily, and the revised pieces
are put back with the original whitespace between them, so a document of any length is
revised whole (never truncated) and progress can be shown per piece and per token.

Generation stops cleanly: at the end-of-turn token, at a line break when the piece had
none, when the output starts looping over itself, or at a length cap proportional to the
piece. What the model adds around the answer ("Here is the revised text:", quotes) is
stripped; an empty answer leaves the piece unchanged. Then the edits that change a fact
are held back (``itune_core.facts``) and those the model is unsure of are left out
(``itune_core.confidence``).
"""

import difflib
import logging
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import torch
from transformers import StoppingCriteria, StoppingCriteriaList
from transformers.generation.streamers import BaseStreamer

from itune_core.adapters import generate_kwargs
from itune_core.confidence import Scorer, keep_confident, sequence_logprobs
from itune_core.edits import Edit, piecewise_edits
from itune_core.errors import InvalidText
from itune_core.facts import HeldEdit, guard_facts
from itune_core.intentions import parse_intentions
from itune_core.prompts import answer_token_ids, prompt_token_ids
from itune_core.segment import split_pieces

logger = logging.getLogger(__name__)

# Lead-ins small instruction models put before the answer.
_PREAMBLE = re.compile(
    r"^\s*(?:here(?:'s| is) (?:the |a |my )?(?:revised|corrected|improved|rewritten)[^:\n]{0,40}"
    r"|(?:the )?(?:revised|corrected|improved|rewritten)(?: text| sentence| version)?(?: is)?"
    r"|the sentence should (?:be|read))\s*:\s*",
    re.IGNORECASE,
)
_WORDS = re.compile(r"\w+|[^\w\s]")
_QUOTES = {'"': '"', "“": "”", "'": "'", "«": "»"}


@dataclass(frozen=True)
class ReviseSettings:
    """How the reviser generates.

    Attributes:
        max_chars: longest text accepted, in characters.
        max_new_tokens: cap on the tokens generated for one piece.
        length_factor: a piece may grow to ``length_factor * its tokens + 16`` tokens.
        loop_ngram: generation stops when its last ``loop_ngram`` tokens already occurred.
        min_similarity: a piece's revision is discarded (the piece kept as it was) when its
            words match the piece's less than this (difflib ratio, 0-1); small models
            sometimes answer with a new text instead of a revision.
        fact_guard: hold back the edits that change a number, a date or a name unless
            ``meaning-changed`` was asked for (``itune_core.facts``).
        min_edit_margin: leave out the edits whose margin (how much less likely the model
            finds its answer with the edit undone, in nats) is at most this; None keeps
            every edit (``itune_core.confidence``). 0.5 was chosen on dev.
    """

    max_chars: int = 20_000
    max_new_tokens: int = 256
    length_factor: float = 1.5
    loop_ngram: int = 8
    min_similarity: float = 0.4
    fact_guard: bool = True
    min_edit_margin: float | None = 0.5

    def __post_init__(self) -> None:
        for name in ("max_chars", "max_new_tokens", "loop_ngram"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"ReviseSettings.{name} must be a positive int, got {value!r}")
        if not self.length_factor >= 1.0:
            raise ValueError(
                f"ReviseSettings.length_factor must be >= 1.0, got {self.length_factor!r}"
            )
        if not 0.0 <= self.min_similarity <= 1.0:
            raise ValueError(
                f"ReviseSettings.min_similarity must be in [0, 1], got {self.min_similarity!r}"
            )
        margin = self.min_edit_margin
        if margin is not None and (
            isinstance(margin, bool)
            or not isinstance(margin, int | float)
            or not -1000 <= margin <= 1000
        ):
            raise ValueError(
                "ReviseSettings.min_edit_margin must be None or a number of nats in "
                f"[-1000, 1000], got {margin!r}"
            )


@dataclass(frozen=True)
class Revision:
    """A finished revision: the source, the revised text and the edits between them."""

    source: str
    revised: str
    intentions: tuple[str, ...]
    edits: tuple[Edit, ...]
    generated_tokens: int
    seconds: float
    model: str
    adapter: str | None = None
    discarded_pieces: int = 0
    held_edits: tuple[HeldEdit, ...] = ()
    unsure_edits: tuple[HeldEdit, ...] = ()


@dataclass(frozen=True)
class ReviseProgress:
    """One streaming update: the text so far and where the reviser stands.

    ``text`` is the revised pieces so far, the current piece as generated so far, and the
    rest of the source unchanged. ``revision`` is set on the last update only.
    """

    pieces_done: int
    pieces_total: int
    text: str
    revision: Revision | None = None


def check_text(text: object, max_chars: int) -> str:
    """Validate a text to revise.

    Args:
        text: what the writer sent.
        max_chars: the configured limit.

    Returns:
        The text unchanged.

    Raises:
        InvalidText: not a string, empty, whitespace only, longer than ``max_chars``, or
            holding a NUL character or an unpaired surrogate (no database stores them).
    """
    if not isinstance(text, str):
        raise InvalidText(f"the text must be a string, got {type(text).__name__}")
    if not text.strip():
        raise InvalidText("the text is empty: paste a sentence or a document to revise")
    if "\x00" in text:
        raise InvalidText("the text contains a NUL character (\\x00); remove it and try again")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        # JSON can carry "\ud800"; no database (or tokenizer) takes half a surrogate pair.
        raise InvalidText(
            f"the text contains an unpaired surrogate (U+{ord(text[err.start]):04X}) at "
            f"character {err.start + 1}: it is not valid Unicode"
        ) from None
    if len(text) > max_chars:
        raise InvalidText(
            f"the text has {len(text):,} characters; the limit is {max_chars:,}. "
            "Split it into smaller parts."
        )
    return text


def word_similarity(a: str, b: str) -> float:
    """How much two texts share, word by word (difflib ratio over lowercased words)."""
    words_a, words_b = _WORDS.findall(a.lower()), _WORDS.findall(b.lower())
    if not words_a and not words_b:
        return 1.0
    return difflib.SequenceMatcher(a=words_a, b=words_b, autojunk=False).ratio()


@dataclass(frozen=True)
class Answer:
    """What goes into the text for one piece.

    Attributes:
        text: the piece as offered (the piece itself when the answer was discarded).
        discarded: the answer was cut off or too unlike the piece, so the piece was kept.
        held: edits the fact guard held back.
        unsure: edits left out because the model was unsure of them.
    """

    text: str
    discarded: bool = False
    held: tuple[HeldEdit, ...] = ()
    unsure: tuple[HeldEdit, ...] = ()


def accept_answer(
    raw: str,
    piece: str,
    cut_off: bool,
    intentions: Sequence[str],
    settings: ReviseSettings,
    scorer: Scorer | None = None,
) -> Answer:
    """What goes into the text for one piece.

    The answer is cleaned; a cut-off answer (it ran on past the revision) or one too unlike
    the piece (a new text) is discarded and the piece kept; then the fact guard undoes the
    edits that change facts, and, given a ``scorer`` for the piece's prompt and a
    ``settings.min_edit_margin``, the edits the model is unsure of are undone. The app and
    evaluation both call this, so they agree.
    """
    candidate = clean_output(raw, piece)
    if cut_off or word_similarity(candidate, piece) < settings.min_similarity:
        return Answer(piece, discarded=True)
    held: tuple[HeldEdit, ...] = ()
    if settings.fact_guard:
        candidate, held = guard_facts(piece, candidate, intentions)
    unsure: tuple[HeldEdit, ...] = ()
    if scorer is not None and settings.min_edit_margin is not None:
        candidate, unsure = keep_confident(piece, candidate, scorer, settings.min_edit_margin)
    return Answer(candidate, held=held, unsure=unsure)


def clean_output(raw: str, piece: str) -> str:
    """The answer inside a model's output, or ``piece`` when there is none."""
    text = raw.strip()
    if not _PREAMBLE.match(piece):
        text = _PREAMBLE.sub("", text, count=1).strip()
    quoted = len(text) >= 2 and text[0] in _QUOTES and text[-1] == _QUOTES[text[0]]
    if quoted and not (piece.startswith(text[0]) and piece.endswith(text[-1])):
        text = text[1:-1].strip()
    return text or piece


class _LoopStop(StoppingCriteria):
    """Stops when the last n generated tokens already occurred among the generated ones."""

    def __init__(self, prompt_len: int, n: int, cancel: threading.Event):
        self.prompt_len, self.n, self.cancel = prompt_len, n, cancel
        self.looped_at: int | None = None

    def __call__(self, input_ids: torch.Tensor, scores, **kwargs) -> torch.Tensor:
        done = torch.full((input_ids.shape[0],), self.cancel.is_set(), dtype=torch.bool)
        generated = input_ids[0, self.prompt_len :].tolist()
        n = self.n
        if len(generated) >= 2 * n:
            tail = generated[-n:]
            for start in range(len(generated) - 2 * n + 1):
                if generated[start : start + n] == tail:
                    self.looped_at = len(generated) - n
                    done[:] = True
                    break
        return done


class _TokenQueue(BaseStreamer):
    """Hands generated token ids from the generating thread to the consumer."""

    def __init__(self):
        self.queue: queue.Queue = queue.Queue()
        self.skipped_prompt = False

    def put(self, value: torch.Tensor) -> None:
        if not self.skipped_prompt:  # generate() first puts the prompt
            self.skipped_prompt = True
            return
        for token in value.reshape(-1).tolist():
            self.queue.put(token)

    def end(self) -> None:
        self.queue.put(None)


@dataclass
class Reviser:
    """Revises texts with one model (and optionally one adapter already applied to it).

    Attributes:
        model: a causal LM in eval mode, or a PeftModel holding one or more adapters.
        tokenizer: its tokenizer.
        model_name: recorded with every revision.
        adapter_name: the attached adapter to revise with, named in every generate call so
            revisers with different adapters can share one model (None: the base model).
        settings: generation settings.
        labeller: optional ``(source, revised, edits) -> edits`` that labels each edit with
            an intention and confidence (the intention predictor plugs in here).
    """

    model: torch.nn.Module
    tokenizer: object
    model_name: str
    adapter_name: str | None = None
    settings: ReviseSettings = field(default_factory=ReviseSettings)
    labeller: Callable[[str, str, list[Edit]], list[Edit]] | None = None

    def revise(self, text: str, intentions: Sequence[str] | str) -> Revision:
        """Revise ``text`` for ``intentions`` and return the finished revision.

        Raises:
            InvalidText: see ``check_text``.
            UnknownIntention: an intention is not supported, or none was given.
        """
        *_, last = self.stream(text, intentions, stream_tokens=False)
        return last.revision

    def stream(
        self, text: str, intentions: Sequence[str] | str, *, stream_tokens: bool = True
    ) -> Iterator[ReviseProgress]:
        """Revise ``text``, yielding progress after each token (or each piece).

        Args:
            text: a sentence or a document.
            intentions: the intentions to revise for.
            stream_tokens: yield after every token; else only after every piece.

        Yields:
            ReviseProgress updates; the last one carries the finished Revision.

        Raises:
            InvalidText: see ``check_text``.
            UnknownIntention: an intention is not supported, or none was given.
        """
        check_text(text, self.settings.max_chars)
        wanted = parse_intentions(intentions)
        started = time.perf_counter()
        spans = split_pieces(text)
        revised_pieces: list[str] = []
        held_edits: list[HeldEdit] = []
        unsure_edits: list[HeldEdit] = []
        tokens = discarded = 0

        def assemble(current: str | None) -> str:
            parts, pos = [], 0
            for k, (a, b) in enumerate(spans):
                parts.append(text[pos:a])
                if k < len(revised_pieces):
                    parts.append(revised_pieces[k])
                elif k == len(revised_pieces) and current is not None:
                    parts.append(current)
                else:
                    parts.append(text[a:b])
                pos = b
            parts.append(text[pos:])
            return "".join(parts)

        for k, (a, b) in enumerate(spans):
            piece = text[a:b]
            for partial, outcome in self._generate(piece, wanted):
                if partial is None:
                    raw, used, cut_off = outcome
                    answer = accept_answer(
                        raw, piece, cut_off, wanted, self.settings, self._scorer(piece, wanted)
                    )
                    if answer.discarded:
                        logger.info("discarded the model's answer for piece %d: %r", k, raw)
                        discarded += 1
                    held_edits.extend(answer.held)
                    unsure_edits.extend(answer.unsure)
                    revised_pieces.append(answer.text)
                    tokens += used
                elif stream_tokens:
                    yield ReviseProgress(k, len(spans), assemble(partial))
            yield ReviseProgress(k + 1, len(spans), assemble(None))

        revised = assemble(None)
        label = wanted[0] if len(wanted) == 1 else None
        edits = piecewise_edits(text, spans, revised_pieces, label)
        if self.labeller is not None and edits:
            edits = self.labeller(text, revised, edits)
        revision = Revision(
            source=text,
            revised=revised,
            intentions=wanted,
            edits=tuple(edits),
            generated_tokens=tokens,
            seconds=time.perf_counter() - started,
            model=self.model_name,
            adapter=self.adapter_name,
            discarded_pieces=discarded,
            held_edits=tuple(held_edits),
            unsure_edits=tuple(unsure_edits),
        )
        yield ReviseProgress(len(spans), len(spans), revised, revision)

    def _scorer(self, piece: str, intentions: tuple[str, ...]) -> Scorer:
        """Log-probabilities of answers to ``piece``'s prompt, with this reviser's adapter."""
        tok = self.tokenizer
        prompt = prompt_token_ids(tok, piece, intentions)

        def score(answers: Sequence[str]) -> list[float]:
            names = generate_kwargs(self.model, self.adapter_name).get("adapter_names")
            extra = {"adapter_names": names * len(answers)} if names else {}
            ids = [answer_token_ids(tok, answer) for answer in answers]
            return sequence_logprobs(self.model, prompt, ids, tok.pad_token_id, **extra)

        return score

    def _generate(self, piece: str, intentions: tuple[str, ...]):
        """Yield ``(partial_text, None)`` while generating, then
        ``(None, (raw answer, tokens generated, whether the length cap cut it off))``."""
        tok = self.tokenizer
        device = next(self.model.parameters()).device
        input_ids = torch.tensor([prompt_token_ids(tok, piece, intentions)], device=device)
        attention_mask = torch.ones_like(input_ids)
        prompt_len = input_ids.shape[1]
        piece_tokens = len(tok(piece, add_special_tokens=False)["input_ids"])
        budget = min(
            self.settings.max_new_tokens, int(self.settings.length_factor * piece_tokens) + 16
        )
        cancel = threading.Event()
        loop_stop = _LoopStop(prompt_len, self.settings.loop_ngram, cancel)
        streamer = _TokenQueue()
        kwargs = dict(
            input_ids=input_ids,
            attention_mask=attention_mask,
            max_new_tokens=budget,
            do_sample=False,
            streamer=streamer,
            stopping_criteria=StoppingCriteriaList([loop_stop]),
            pad_token_id=tok.pad_token_id,
            **generate_kwargs(self.model, self.adapter_name),
        )
        if "\n" not in piece:
            kwargs.update(stop_strings=["\n"], tokenizer=tok)
        errors: list[BaseException] = []

        def run() -> None:
            try:
                with torch.inference_mode():
                    self.model.generate(**kwargs)
            except BaseException as err:  # re-raised in the consumer's thread below
                errors.append(err)
                streamer.end()

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        ids: list[int] = []
        try:
            while (token := streamer.queue.get()) is not None:
                ids.append(token)
                yield tok.decode(ids, skip_special_tokens=True), None
        finally:
            cancel.set()  # the consumer went away: stop generating at the next token
            worker.join()
        if errors:
            raise errors[0]
        used = len(ids)
        cut_off = used >= budget and (not ids or ids[-1] != tok.eos_token_id)
        if loop_stop.looped_at is not None:
            ids = ids[: loop_stop.looped_at]
        text = tok.decode(ids, skip_special_tokens=True)
        if "\n" not in piece:
            text = text.split("\n", 1)[0] if text.strip() else text
        yield None, (text, used, cut_off)
