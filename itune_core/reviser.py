"""Revising a text for a set of intentions with a causal LM, streamed piece by piece.

A text is split into sentences (``segment.split_pieces``); the pieces are decoded together
in batches (``itune_core.decoding``; in the app, with other writers' pieces through
``itune_core.scheduler``), greedily, with the method's generation prompt in the model's
chat template, and the revised pieces are put back with the original whitespace between
them, so a document of any length is revised whole (never truncated) and progress is shown
as each piece completes.

Generation stops cleanly: at the end-of-turn token, at a line break when the piece had
none, when the output starts looping over itself, or at a length cap proportional to the
piece. What the model adds around the answer ("Here is the revised text:", quotes) is
stripped; an empty answer leaves the piece unchanged. Then the edits that change a fact
are held back (``itune_core.facts``), and so are those that drop or add a negation
(``itune_core.negations``) or put another person in place of one the sentence named
(``itune_core.persons``); under fluency alone those that drop a connector
(``itune_core.connectors``), delete a phrase or a word of meaning
(``itune_core.deletions``) or drop an adverb such as "very" or "always"
(``itune_core.modifiers``), and under any intention those that rewrite an address, a file
name or code (``itune_core.literals``) or only respell a word in the other variety of
English (``itune_core.varieties``); those the model is unsure of are left out
(``itune_core.confidence``); what was held back or left out is placed beside the edits as
suggestions the writer may take (``itune_core.suggestions``). Asked for fluency, a bare
verb the answer put into the present in a past narrative gets the past
(``itune_core.harmony``), and the pronoun "i", "alot", "a"/"an", a lower-case start, a
doubled word, a missing apostrophe are mended whatever the model answered
(``itune_core.mechanics``). A sentence that tells of the past is also revised with the
sentences after it, for the tenses they need (``itune_core.context``); those sentences
show when both answers are in. Follow-up passes (``Reviser.follow_ups``) may then revise
every piece again with another adapter, each for one of the intentions asked."""

import difflib
import logging
import re
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field, replace
from typing import Protocol

import torch

from itune_core.confidence import Scorer, keep_confident
from itune_core.connectors import guard_connectors
from itune_core.context import Fixed, tense_windows, with_tense_context
from itune_core.decoding import Decoded, Decoder, Row, check_prompt_lookup
from itune_core.deletions import guard_clauses, guard_deletions
from itune_core.edits import Edit, HeldEdit, compute_edits, piecewise_edits, shift_edits
from itune_core.errors import InvalidText
from itune_core.facts import guard_facts
from itune_core.harmony import harmonise_tenses
from itune_core.intentions import parse_intentions
from itune_core.literals import guard_literals
from itune_core.mechanics import fix_mechanics
from itune_core.misspellings import guard_misspellings
from itune_core.modifiers import guard_adverbs
from itune_core.negations import guard_negations
from itune_core.persons import guard_persons
from itune_core.scheduler import BatchScheduler
from itune_core.segment import split_pieces
from itune_core.suggestions import Suggestion, suggestions
from itune_core.tenses import guard_tenses
from itune_core.varieties import guard_varieties

logger = logging.getLogger(__name__)

# Labels the edits of a revision made for several intentions with the one of them each
# edit serves, and a confidence: ``(source, revised, edits, intentions asked) -> edits``
# (e.g. an IntentionPredictor).
Labeller = Callable[[str, str, list[Edit], tuple[str, ...]], list[Edit]]

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
        max_pieces: most sentences (or lines) one text may have: each is one row to
            decode, tense context adds at most one row for every two and each follow-up
            pass one more per piece, so this bounds the work of one request.
        max_new_tokens: cap on the tokens generated for one piece.
        length_factor: a piece may grow to ``length_factor * its tokens + 16`` tokens.
        loop_ngram: generation stops when its last ``loop_ngram`` tokens already occurred.
        min_similarity: a piece's revision is discarded (the piece kept as it was) when its
            words match the piece's less than this (difflib ratio, 0-1); small models
            sometimes answer with a new text instead of a revision.
        fact_guard: hold back the edits that change a number, a date or a name unless
            ``meaning-changed`` was asked for (``itune_core.facts``).
        negation_guard: hold back the edits that drop a negation ("not", "never", "-n't")
            or add one, turning what a clause says around, unless ``meaning-changed`` was
            asked for (``itune_core.negations``).
        person_guard: hold back the edits that put a pronoun of another person in place
            of one the sentence had ("me that he" -> "I"), telling of someone else, unless
            ``meaning-changed`` was asked for (``itune_core.persons``).
        literal_guard: hold back the edits that change a web or e-mail address, a file
            name or path, inline code or an identifier, whatever was asked
            (``itune_core.literals``).
        connector_guard: when fluency alone was asked for, hold back the edits that drop
            a connector such as "however" or "also" (``itune_core.connectors``).
        deletion_guard: when fluency alone was asked for, hold back the edits that delete
            three words or more, or replace words and lose three more than they bring in,
            or delete one or two words and lose a word of meaning ("tastes very good" ->
            "tastes good"; ``itune_core.deletions``).
        adverb_guard: when fluency alone was asked for, keep an adverb of degree,
            frequency or focus ("very", "always", "only") that an edit drops while
            shortening the text or swaps for an article ("is very good person" -> "is a
            good person" is offered "is a very good person"; ``itune_core.modifiers``).
        clause_guard: unless ``meaning-changed`` was asked for, hold back the edits that
            drop one of two parts joined by "and", "but", "or" or "yet" (a conjunction and
            three words more than the edit brings in; ``itune_core.deletions``).
        tense_guard: hold back the edits that put a piece naming no past time into the
            past unless ``meaning-changed`` was asked for (``itune_core.tenses``).
        variety_guard: hold back the edits that only spell a word the other variety's
            way ("organise" -> "organize", "color" -> "colour"), whatever was asked
            (``itune_core.varieties``).
        misspelling_guard: hold back the edits that make a word no dictionary knows into
            another word, not its spelling ("becouse" -> "until"), and offer its spelling
            instead ("because"), unless meaning-changed was asked for
            (``itune_core.misspellings``).
        tense_harmony: when fluency was asked for (and meaning-changed was not), in a
            piece that tells of the past and names neither the present nor the future,
            give the simple past to a bare verb the answer put into its -s form ("feel"
            -> "felt", not "feels") and to a present perfect beside a finished time ("have
            seen it last month" -> "saw"); in any piece, drop "will" from a clause of time
            or condition ("If it will rain" -> "If it rains"; ``itune_core.harmony``).
        mechanical_fixes: when fluency was asked for, alone or among others, mend in the
            text offered, whatever the model answered, the pronoun "i", "alot", "a"/"an"
            before a word of the other sound, a lower-case start, a doubled function
            word, a contraction without its apostrophe and "its" for "it's"
            (``itune_core.mechanics``).
        tense_context: revise each sentence that tells of the past together with the
            sentences after it in its paragraph as well, and take from that answer the
            edits that put those sentences into the past (``itune_core.context``).
        min_edit_margin: leave out the edits whose margin (how much less likely the model
            finds its answer with the edit undone, in nats) is at most this; None keeps
            every edit (``itune_core.confidence``). 0.5 was chosen on dev.
        follow_up_margin: ``min_edit_margin`` for the follow-up passes (``Reviser.follow_ups``),
            which revise a text already revised and are held to be surer; 1 was chosen on
            dev (docs/default-adapter.md, "Requests that combine intentions").
        half_fix_check: where the margin leaves some edits of a piece out and keeps
            others, offer none if the model finds what is left less likely than the piece
            as written (a fix made by half; ``itune_core.confidence.keep_confident``).
        prompt_lookup: each piece drafts up to this many tokens at a time from its prompt
            for the model to check in one pass (``itune_core.decoding``); the answer is
            the same, sooner. 0: off.
    """

    max_chars: int = 20_000
    max_pieces: int = 400
    max_new_tokens: int = 256
    length_factor: float = 1.5
    loop_ngram: int = 8
    min_similarity: float = 0.4
    fact_guard: bool = True
    negation_guard: bool = True
    person_guard: bool = True
    literal_guard: bool = True
    connector_guard: bool = True
    deletion_guard: bool = True
    adverb_guard: bool = True
    clause_guard: bool = True
    tense_guard: bool = True
    variety_guard: bool = True
    misspelling_guard: bool = True
    tense_harmony: bool = True
    mechanical_fixes: bool = True
    tense_context: bool = True
    min_edit_margin: float | None = 0.5
    follow_up_margin: float | None = 1.0
    half_fix_check: bool = True
    prompt_lookup: int = 10

    def __post_init__(self) -> None:
        for name in ("max_chars", "max_pieces", "max_new_tokens", "loop_ngram"):
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
        try:
            check_prompt_lookup(self.prompt_lookup)
        except ValueError as err:
            raise ValueError(f"ReviseSettings.{err}") from None
        for name in ("min_edit_margin", "follow_up_margin"):
            margin = getattr(self, name)
            if margin is not None and (
                isinstance(margin, bool)
                or not isinstance(margin, int | float)
                or not -1000 <= margin <= 1000
            ):
                raise ValueError(
                    f"ReviseSettings.{name} must be None or a number of nats in "
                    f"[-1000, 1000], got {margin!r}"
                )


@dataclass(frozen=True)
class Revision:
    """A finished revision: the source, the revised text and the edits between them.

    ``held_edits`` and ``unsure_edits`` are what was not offered, with reasons;
    ``suggestions`` those of them placed in ``source`` beside ``edits`` (any set of both
    applies cleanly), for the writer to take if they choose.
    """

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
    suggestions: tuple[Suggestion, ...] = ()


@dataclass(frozen=True)
class ReviseProgress:
    """One streaming update: the text so far and where the reviser stands.

    ``text`` is the revised pieces so far, the current piece as generated so far, and the
    rest of the source unchanged. ``revision`` is set on the last update only. ``follow_up``
    names the intention of the follow-up pass running (``Reviser.follow_ups``), whose
    pieces ``pieces_done`` then counts; None during the first pass.
    """

    pieces_done: int
    pieces_total: int
    text: str
    revision: Revision | None = None
    follow_up: str | None = None


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
        held: edits the guards held back.
        unsure: edits left out because the model was unsure of them.
        proposed: the model's answer as cleaned, before the guards (None: discarded).
    """

    text: str
    discarded: bool = False
    held: tuple[HeldEdit, ...] = ()
    unsure: tuple[HeldEdit, ...] = ()
    proposed: str | None = field(default=None, compare=False)  # where the others came from


MARGIN = "margin"  # what holds back the edits the model is unsure of (``HeldEdit.by``)

# The guards, in the order they look at an answer, each switched by its ``ReviseSettings``
# field; each takes ``(piece, answer, intentions)`` and returns the text to offer and the
# edits it held back.
_GUARDS: tuple[tuple[str, Callable[..., tuple[str, tuple[HeldEdit, ...]]]], ...] = (
    ("fact_guard", guard_facts),
    ("negation_guard", guard_negations),
    ("person_guard", guard_persons),
    ("literal_guard", guard_literals),
    ("connector_guard", guard_connectors),
    ("deletion_guard", guard_deletions),
    ("adverb_guard", guard_adverbs),
    ("clause_guard", guard_clauses),
    ("tense_guard", guard_tenses),
    ("variety_guard", guard_varieties),
    ("misspelling_guard", guard_misspellings),
)


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
    edits that change facts, the negation guard those that drop or add a negation, the
    person guard those that put another person where the sentence named one, the
    literal guard those that change an address, a file name
    or code, the connector guard those that drop a connector under fluency, the deletion
    guard those that delete a phrase under fluency, the clause guard those that drop one of
    two joined parts, the tense guard those that put a piece
    naming no past time into the past, the variety guard those that only respell a
    word in the other variety of English and the misspelling guard those that make a
    misspelt word another word (offering its spelling) (the adverb guard, after the deletion guard,
    keeps the adverbs a fluency edit drops); given a ``scorer`` for the piece's prompt
    and a ``settings.min_edit_margin``, the edits the model is unsure of are undone; then,
    with ``settings.tense_harmony``, a bare verb put into its -s form in a past narrative
    gets the past, and last, with ``settings.mechanical_fixes``, the mechanical fixes are
    made when fluency was asked for, in the piece itself where the answer was discarded.
    The app and evaluation both call this, so they agree.
    """
    candidate = clean_output(raw, piece)
    if cut_off or word_similarity(candidate, piece) < settings.min_similarity:
        if settings.mechanical_fixes:
            return Answer(fix_mechanics(piece, intentions), discarded=True)
        return Answer(piece, discarded=True)
    proposed = candidate
    held: tuple[HeldEdit, ...] = ()
    for setting, guard in _GUARDS:
        if getattr(settings, setting):
            candidate, found = guard(piece, candidate, intentions)
            held += tuple(replace(h, by=setting.removesuffix("_guard")) for h in found)
    unsure: tuple[HeldEdit, ...] = ()
    if scorer is not None and settings.min_edit_margin is not None:
        candidate, unsure = keep_confident(
            piece, candidate, scorer, settings.min_edit_margin, check_rest=settings.half_fix_check
        )
        unsure = tuple(replace(h, by=MARGIN) for h in unsure)
    if settings.tense_harmony:
        candidate = harmonise_tenses(piece, candidate, intentions)
    if settings.mechanical_fixes:
        candidate = fix_mechanics(candidate, intentions, source=piece)
    return Answer(candidate, held=held, unsure=unsure, proposed=proposed)


def clean_output(raw: str, piece: str) -> str:
    """The answer inside a model's output, or ``piece`` when there is none."""
    text = raw.strip()
    if not _PREAMBLE.match(piece):
        text = _PREAMBLE.sub("", text, count=1).strip()
    quoted = len(text) >= 2 and text[0] in _QUOTES and text[-1] == _QUOTES[text[0]]
    if quoted and not (piece.startswith(text[0]) and piece.endswith(text[-1])):
        text = text[1:-1].strip()
    return text or piece


def settings_decoder(model: torch.nn.Module, tokenizer, settings: ReviseSettings) -> Decoder:
    """A ``Decoder`` with the length cap and loop guard of ``settings``; it keeps the
    answered rows' caches for scoring only where edits are scored (a minimum edit margin)."""
    keep = {} if settings.min_edit_margin is not None else {"cache_bytes": 0}
    return Decoder(
        model,
        tokenizer,
        max_new_tokens=settings.max_new_tokens,
        length_factor=settings.length_factor,
        loop_ngram=settings.loop_ngram,
        prompt_lookup=settings.prompt_lookup,
        **keep,
    )


class RowDecoder(Protocol):
    """What a Reviser decodes with: a ``BatchScheduler`` (its own, or the adapter pool's,
    shared with other requests) or anything that streams rows' answers the same way."""

    def row(self, piece: str, intentions: Sequence[str], adapter: str | None = None) -> Row: ...

    def decode(
        self, rows: Sequence[Row], cancel: threading.Event | None = None
    ) -> Iterator[tuple[int, Decoded]]: ...

    def scorer(self, row: Row) -> Scorer: ...

    def release(self, row: Row) -> None: ...


@dataclass
class Reviser:
    """Revises texts with one model (and optionally one adapter already applied to it).

    Attributes:
        model: a causal LM in eval mode, or a PeftModel holding one or more adapters
            (unused when ``decoder`` is given).
        tokenizer: its tokenizer.
        model_name: recorded with every revision.
        adapter_name: the attached adapter to revise with, named on every row so revisers
            with different adapters can share one model (None: the base model).
        settings: generation settings.
        labeller: optional ``Labeller``, which labels each edit of a revision made for
            several intentions with the one of them it serves and a confidence (the
            intention predictor plugs in here). A revision made for one intention does
            not need it: each of its edits carries that intention.
        decoder: what decodes the rows; default: a ``BatchScheduler`` of its own over
            ``model`` (the adapter pool gives its scheduler, shared by every request).
        follow_ups: passes after the first, each ``(intention, adapter name)``: where a
            request asks for that intention among several, each piece as the passes
            before left it is revised again with that adapter (attached to the decoder's
            model) for that intention alone, its guards judging the piece it was given.
            The built-in adapter's specialists follow it so (docs/default-adapter.md,
            "Requests that combine intentions"). An edit first made by a follow-up is
            labelled with its intention; the labeller labels the rest.
    """

    model: torch.nn.Module | None
    tokenizer: object
    model_name: str
    adapter_name: str | None = None
    settings: ReviseSettings = field(default_factory=ReviseSettings)
    labeller: Labeller | None = None
    decoder: RowDecoder | None = None
    follow_ups: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.decoder is None:
            if self.model is None:
                raise ValueError("a Reviser needs a model or a decoder")
            self.decoder = BatchScheduler(
                settings_decoder(self.model, self.tokenizer, self.settings)
            )

    def revise(self, text: str, intentions: Sequence[str] | str) -> Revision:
        """Revise ``text`` for ``intentions`` and return the finished revision.

        Raises:
            InvalidText: see ``check_text``.
            UnknownIntention: an intention is not supported, or none was given.
        """
        *_, last = self.stream(text, intentions)
        return last.revision

    def stream(self, text: str, intentions: Sequence[str] | str) -> Iterator[ReviseProgress]:
        """Revise ``text``, yielding progress at the start and as each piece completes
        (pieces complete in any order; the text shows each revised piece in its place).
        Closing the iterator stops the decoding of its pieces.

        Args:
            text: a sentence or a document.
            intentions: the intentions to revise for.

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
        if len(spans) > self.settings.max_pieces:
            raise InvalidText(
                f"the text has {len(spans):,} sentences or lines; the limit is "
                f"{self.settings.max_pieces:,} per request. Split it into smaller parts."
            )
        pieces = [text[a:b] for a, b in spans]
        passes = [(i, a) for i, a in self.follow_ups if i in wanted and len(wanted) > 1]
        revised_pieces: dict[int, str] = {}
        held_edits: dict[int, tuple[HeldEdit, ...]] = {}
        unsure_edits: dict[int, tuple[HeldEdit, ...]] = {}
        proposed: dict[int, str | None] = {}
        tokens = discarded = 0

        def assemble() -> str:
            return _joined(text, spans, [revised_pieces.get(k, p) for k, p in enumerate(pieces)])

        windows = tense_windows(text, spans) if self.settings.tense_context else []
        window_of = {k: w for w, window in enumerate(windows) for k in window.later()}
        own: dict[int, str] = {}
        window_answers: dict[int, str] = {}
        sources = pieces + [text[slice(*window.span(spans))] for window in windows]

        def settle() -> bool:
            """Put in the text each piece whose answers are all in; whether any was."""
            ready = [
                k
                for k in own
                if k not in revised_pieces
                and (k not in window_of or window_of[k] in window_answers)
            ]
            merged: dict[int, Fixed] = {}
            for w in sorted({window_of[k] for k in ready if k in window_of}):  # each window once
                ready_here = {k: own[k] for k in ready if window_of.get(k) == w}
                merged |= with_tense_context(text, spans, windows[w], window_answers[w], ready_here)
            for k in ready:
                revised_pieces[k] = merged[k].text if k in merged else own[k]
                if k in merged:  # what the window put in is no longer held back
                    held_edits[k] = merged[k].keep(held_edits[k])
                    unsure_edits[k] = merged[k].keep(unsure_edits[k])
            return bool(ready)

        rows = [self.decoder.row(source, wanted, self.adapter_name) for source in sources]
        yield ReviseProgress(0, len(spans), text)
        with closing(self.decoder.decode(rows)) as decoded_rows:
            for k, decoded in decoded_rows:
                answer = accept_answer(
                    decoded.text,
                    sources[k],
                    decoded.cut_off,
                    wanted,
                    self.settings,
                    self.decoder.scorer(rows[k]),
                )
                self.decoder.release(rows[k])
                tokens += decoded.tokens
                if k >= len(pieces):  # a window: only its tense fixes are used
                    window_answers[k - len(pieces)] = answer.text
                else:
                    if answer.discarded:
                        logger.info(
                            "discarded the model's answer for piece %d: %r", k, decoded.text
                        )
                        discarded += 1
                    held_edits[k], unsure_edits[k] = answer.held, answer.unsure
                    proposed[k] = answer.proposed
                    own[k] = answer.text
                if settle():
                    yield ReviseProgress(len(revised_pieces), len(spans), assemble())

        label = wanted[0] if len(wanted) == 1 else None
        stages = [[revised_pieces[k] for k in range(len(spans))]]  # each pass's pieces
        # what each piece's passes proposed and held back: (intention, proposed, held)
        passed: dict[int, list[tuple[str | None, str | None, tuple[HeldEdit, ...]]]] = {
            k: [(label, proposed.get(k), held_edits.get(k, ()) + unsure_edits.get(k, ()))]
            for k in range(len(spans))
        }
        for intention, adapter in passes:
            answers, used = yield from self._follow_up(text, spans, stages[-1], intention, adapter)
            tokens += used
            stages.append([answers[k].text for k in range(len(spans))])
            for k, answer in answers.items():
                held_edits[k] = held_edits.get(k, ()) + answer.held
                unsure_edits[k] = unsure_edits.get(k, ()) + answer.unsure
                passed[k].append((intention, answer.proposed, answer.held + answer.unsure))
        in_order = stages[-1]
        revised = _joined(text, spans, in_order)
        if passes:
            edits = _staged_edits(text, spans, stages, [i for i, _ in passes], label)
        else:
            edits = piecewise_edits(text, spans, in_order, label)
        found: list[Suggestion] = []  # what was held back, placed in the text
        for k, (a, _) in enumerate(spans):
            here: list[Suggestion] = []
            for intention, answer, held_here in passed[k]:
                for s in suggestions(pieces[k], in_order[k], answer, held_here):
                    (moved,) = shift_edits([s.edit], a)
                    here.append(replace(s, edit=replace(moved, intention=intention)))
            # one suggestion per place: where two passes' overlap, the one that starts first
            for s in sorted(here, key=lambda s: s.edit.start_char_pos):
                if not found or found[-1].edit.end_char_pos < s.edit.start_char_pos:
                    found.append(s)
        open_ = [j for j, e in enumerate(edits) if e.intention is None]
        todo = [edits[j] for j in open_] + [s.edit for s in found if s.edit.intention is None]
        if self.labeller is not None and todo and label is None:
            # One call for both: the suggestions are labelled as the edits are.
            labelled = iter(self.labeller(text, revised, todo, wanted))
            for j in open_:
                edits[j] = next(labelled)
            found = [s if s.edit.intention else replace(s, edit=next(labelled)) for s in found]
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
            held_edits=tuple(h for k in sorted(held_edits) for h in held_edits[k]),
            unsure_edits=tuple(u for k in sorted(unsure_edits) for u in unsure_edits[k]),
            suggestions=tuple(found),
        )
        yield ReviseProgress(len(spans), len(spans), revised, revision)

    def _follow_up(
        self,
        text: str,
        spans: Sequence[tuple[int, int]],
        current: Sequence[str],
        intention: str,
        adapter: str,
    ) -> Generator[ReviseProgress, None, tuple[dict[int, Answer], int]]:
        """One follow-up pass: each piece as it stands (``current``) revised again with
        ``adapter`` for ``intention`` alone. Yields progress as each piece completes;
        returns each piece's answer and the tokens generated."""
        settings = replace(self.settings, min_edit_margin=self.settings.follow_up_margin)
        rows = [self.decoder.row(piece, (intention,), adapter) for piece in current]
        now = list(current)
        answers: dict[int, Answer] = {}
        tokens = 0
        with closing(self.decoder.decode(rows)) as decoded_rows:
            for k, decoded in decoded_rows:
                answers[k] = accept_answer(
                    decoded.text,
                    current[k],
                    decoded.cut_off,
                    (intention,),
                    settings,
                    self.decoder.scorer(rows[k]),
                )
                self.decoder.release(rows[k])
                tokens += decoded.tokens
                now[k] = answers[k].text
                joined = _joined(text, spans, now)
                yield ReviseProgress(len(answers), len(current), joined, follow_up=intention)
        return answers, tokens


def _joined(text: str, spans: Sequence[tuple[int, int]], pieces: Sequence[str]) -> str:
    """``text`` with the piece at each span replaced, what lies between kept."""
    parts, pos = [], 0
    for (a, b), piece in zip(spans, pieces, strict=True):
        parts += [text[pos:a], piece]
        pos = b
    parts.append(text[pos:])
    return "".join(parts)


def _staged_edits(
    text: str,
    spans: Sequence[tuple[int, int]],
    stages: Sequence[Sequence[str]],
    intentions: Sequence[str],
    label: str | None,
) -> list[Edit]:
    """The edits of ``text`` to the last stage's pieces (as ``piecewise_edits``), each one
    a follow-up pass made labelled with that pass's intention: the first stage whose piece
    has that very edit, else (passes that merged or split edits) the last pass that changed
    the piece. ``stages[0]`` is the first pass's; its edits keep ``label``.
    """
    edits: list[Edit] = []
    for k, (a, b) in enumerate(spans):
        piece, last = text[a:b], stages[-1][k]
        if last == piece:
            continue
        made = [
            {(e.start_char_pos, e.before, e.after) for e in compute_edits(piece, stage[k])}
            for stage in stages
        ]
        changed = [n for n in range(1, len(stages)) if stages[n][k] != stages[n - 1][k]]
        for edit in compute_edits(piece, last, label):
            key = (edit.start_char_pos, edit.before, edit.after)
            stage = next((n for n, found in enumerate(made) if key in found), None)
            if stage is None:
                stage = changed[-1] if changed else 0
            if stage:
                edit = replace(edit, intention=intentions[stage - 1])
            edits += shift_edits([edit], a)
    return edits
