"""The one decoder: greedy generation of many pieces at once, each row with its own stops.

The app (through ``itune_core.scheduler``), ``evaluate`` and the benchmarks all decode
here, so prompt building, stops, the loop guard, the length cap and cleaning live in one
place. A *row* is one piece to revise: its prompt ids (``itune_core.prompts``, in the format
its adapter was trained with: ``Decoder.use_prompt_format``), its length
cap ``min(max_new_tokens, length_factor * piece tokens + 16)``, whether a line break ends
it (pieces without one) and the adapter it is decoded with. Each row's positions count
only its own tokens, masked gaps in between left out, and in float32 a row's greedy answer
does not depend on what shares its batch (tested).

The prompts' pass (``Decoder._prefill``) runs the prompts' longest common prefix (the
system prompt and the instruction's first words, about 30 of a sentence's 60-120 prompt
tokens) once per adapter in the batch, then each row's rest after it, in groups of
similar length (``prefill_groups``), so that one long sentence does not pad all the
others; the groups' caches are then joined, with masked gaps. On a paragraph of ten
ITERATER-sent dev sentences this pass fed 540 tokens (the prefix once, two groups) where
padding every prompt to the longest fed 1,250. A row knows where its piece starts
(``Row.instruction``), and the cache of the prompt's start up to there is kept for later
calls (``KEPT_INSTRUCTIONS``, the least recently used dropped), so the next call with the
same adapter and instruction, even of one row, runs only the pieces and the template's end.

Every row drafts its next tokens by prompt lookup: a revision copies most of its piece, so
the tokens that followed the answer's last few tokens in the prompt (``lookup_draft``) are
mostly right, and the model checks a whole draft in one forward pass, keeping the tokens
it would have chosen itself and its choice after them. The answer is the greedy one (the
same text in float32 as transformers' ``generate``, tested), in fewer passes: 40
ITERATER-sent dev sentences in batches of ten took 68 passes instead of 277, 2.5x sooner
(float32, two AVX2 cores, 2026-12-01). The loop is written here, over the
model's forward pass, because transformers' prompt lookup decoding
(``prompt_lookup_num_tokens``) takes one row only, and a batch of rows drafting each from
its own prompt is what serves many writers at once. Rows accept drafts of different
lengths: a rejected draft's positions stay in the key/value cache, masked out of the
attention (dropped when they outnumber the kept ones, which bounds the cache), and each
row's positions count only the tokens it kept. A row that has ended leaves the batch (its
cache rows are dropped) and is handed to the caller at once, while the others run on.
Since a pass may add several tokens, ``RowStops`` looks at each of them in order, so a row
ends exactly where it would one token at a time.

Rows with different adapters share a batch: PEFT takes one adapter name per row
(``adapter_names``), and a LoRA layer applies to each row only its own adapter's weights.
When the model holds one adapter and every row uses it, the names are left out
(``itune_core.adapters.sole_adapter``): PEFT then applies that adapter to the whole batch
without splitting it by adapter in every layer.

Rows may also join a running batch between passes (``generate``'s ``more``): their
prompts run in a pass of their own and their caches are joined to the batch's, with masked
gaps, so a writer who arrives while others' sentences are decoding does not wait for the
whole batch to end (``itune_core.scheduler``).

What ``generate`` computed for a row is kept (bounded, the oldest dropped first) and taken
by ``score`` for the same prompt and adapter: the key/value cache of its prompt and answer,
and each answer token's log-probability. Scoring the answer's variants (each with one edit
undone) then runs only each variant's tokens from its edit on, and the answer itself not at
all, the variants of every row scored in one call in one pass
(``itune_core.confidence.logprobs_after_generated_rows``). The caller hands back a row it is
done with (``release``), so what was kept for an answer that is never scored (unchanged, or
discarded) does not stay until pushed out. Rows ``score`` finds nothing kept for (the
likelihood labeller's, ``itune_core.gain_labels``) run their prompts together: each
instruction from its kept cache, every prompt's rest in one pass, then every answer in one
more, where one pass per prompt and one per prompt's answers took 2x to 2.5x as long.

This module is the seam where a serving engine for GPU hosts (for example vLLM with
multi-LoRA serving) could replace ``generate``: such an engine needs only ``Decoder.generate``
(rows in, ``Decoded`` out, rows joining between passes where it batches continuously) and
``Decoder.score`` (answers' log-probabilities), with ``Decoder.release`` a no-op where it
keeps nothing.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from transformers import DynamicCache, StoppingCriteria, StoppingCriteriaList, StopStringCriteria

from itune_core.adapters import generate_kwargs, sole_adapter
from itune_core.confidence import (
    SCORE_PASS_POSITIONS,
    GeneratedRow,
    Scorer,
    logprobs_after_generated_rows,
)
from itune_core.prefix_cache import common_prefix_length, widened
from itune_core.prompts import (
    DEFAULT_PROMPT_FORMAT,
    PromptFormat,
    answer_token_ids,
    check_prompt_format,
    prompt_token_ids,
)

_STOP_CONTEXT = 8  # tokens the line-break stop looks back over
_DRAFT_NGRAM = 3  # the longest run of last tokens prompt lookup matches
MAX_PROMPT_LOOKUP = 64  # the most tokens a row may draft at a time
# What one more call of the prompts' pass costs, in prompt tokens: on two AVX2 cores a
# pass of one 69-token prompt took 0.55 s and one of 1,250 tokens 4.3 s (3.4 ms a token),
# so a call costs about 90 tokens' worth beyond its tokens; a little less is assumed.
PREFILL_CALL_TOKENS = 64
# The cache is compacted when its width exceeds this many times the most tokens a row holds.
COMPACT_AT = 2.0
# The most instruction caches (one per adapter and instruction) kept between calls.
KEPT_INSTRUCTIONS = 16


def _greedy(logits: torch.Tensor) -> list[list[tuple[int, float]]]:
    """The greedy token at each position of ``logits`` (rows, positions, vocabulary), with
    its log-probability."""
    logits = logits.float()
    tokens = logits.argmax(-1)
    logprobs = logits.gather(-1, tokens[..., None])[..., 0] - torch.logsumexp(logits, -1)
    return [
        list(zip(row, lp, strict=True))
        for row, lp in zip(tokens.tolist(), logprobs.tolist(), strict=True)
    ]


def _nbytes(kept: GeneratedRow) -> int:
    """The memory what ``generate`` kept of a row holds (its cache)."""
    return sum(t.nbytes for layer in kept.cache.layers for t in (layer.keys, layer.values))


@dataclass(frozen=True)
class Row:
    """One piece to decode.

    Attributes:
        prompt: the prompt's token ids.
        budget: the most tokens the answer may have.
        stop_at_newline: a line break ends the answer (the piece had none).
        adapter: the adapter to decode with (None: the base model).
        instruction: how many of the prompt's first tokens every piece revised for the same
            intentions shares (the chat template's start and the instruction), at most all
            but the last; 0: not known. The prompts' pass keeps their cache for later calls.
    """

    prompt: tuple[int, ...]
    budget: int
    stop_at_newline: bool
    adapter: str | None = None
    instruction: int = 0


@dataclass(frozen=True)
class Decoded:
    """A row's answer: its text (first line only for a row that stops at a line break, cut
    where it started looping), the tokens generated (the stop token included), and whether
    the length cap ended it."""

    text: str
    tokens: int
    cut_off: bool


class RowStops:
    """Each row's stops, checked one answer token at a time, remembering where and why each
    row ended.

    A row ends at an end-of-turn token, at a line break (only rows that stop at one), when
    its last ``n`` tokens already occurred among its earlier ones (a loop), at its own
    length cap, or when its ``cancel`` event is set. A pass of the model may add several
    tokens to a row (prompt lookup, ``Decoder``); each is checked in order, so a row ends
    exactly where it would one token at a time.
    """

    def __init__(
        self,
        rows: Sequence[Row],
        eos_ids: set[int],
        loop_ngram: int,
        newline_stop: StoppingCriteria | None,
        cancel: Sequence[threading.Event | None] | None = None,
    ) -> None:
        self.n = loop_ngram
        self.eos_ids, self.newline_stop = eos_ids, newline_stop
        self.budgets: list[int] = []
        self.stop_at_newline: list[bool] = []
        self._tails: list[list[int]] = []
        self.cancel: list[threading.Event | None] = []
        self.ended_at: list[int | None] = []  # tokens when the row ended
        self.looped_at: list[int | None] = []
        self._seen: list[set[tuple[int, ...]]] = []
        self.extend(rows, cancel)

    def extend(
        self, rows: Sequence[Row], cancel: Sequence[threading.Event | None] | None = None
    ) -> None:
        """Watch ``rows`` too (rows that join a running batch), numbered after the others."""
        self.budgets += [row.budget for row in rows]
        self.stop_at_newline += [row.stop_at_newline for row in rows]
        # the prompt's last tokens: a stop string may begin before the answer does
        self._tails += [list(row.prompt[-_STOP_CONTEXT:]) for row in rows]
        self.cancel += list(cancel) if cancel is not None else [None] * len(rows)
        self.ended_at += [None] * len(rows)
        self.looped_at += [None] * len(rows)
        self._seen += [set() for _ in rows]

    def add(self, row: int, answer: Sequence[int]) -> bool:
        """Check the newest token of row ``row`` (the last of ``answer``, its tokens so
        far); True when the row ends there (or had ended)."""
        if self.ended_at[row] is not None:
            return True
        length, ids = len(answer), answer
        stop = ids[-1] in self.eos_ids
        if not stop and self.stop_at_newline[row] and self.newline_stop is not None:
            context = [*self._tails[row], *ids[-_STOP_CONTEXT:]][-_STOP_CONTEXT:]
            stop = bool(self.newline_stop(torch.tensor([context]), None)[0])
        # The loop guard: the last n tokens equal n tokens that end before them. One new
        # such n-gram becomes comparable per token (it starts at length - 2n).
        n = self.n
        if length >= 2 * n:
            start = length - 2 * n
            self._seen[row].add(tuple(ids[start : start + n]))
            if tuple(ids[-n:]) in self._seen[row]:
                self.looped_at[row] = length - n
                stop = True
        if stop or self.cancelled(row) or length >= self.budgets[row]:
            self.ended_at[row] = length
            return True
        return False

    def cancelled(self, row: int) -> bool:
        return self.cancel[row] is not None and self.cancel[row].is_set()


def check_prompt_lookup(value: object) -> int:
    """``value`` as a number of tokens to draft (0: prompt lookup off); ValueError when it
    is not an integer from 0 to ``MAX_PROMPT_LOOKUP``. The one check of this setting, for
    the decoder, ``ReviseSettings`` and the app's environment."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"prompt_lookup must be an integer, got {value!r}")
    if not 0 <= value <= MAX_PROMPT_LOOKUP:
        raise ValueError(f"prompt_lookup must be 0 (off) to {MAX_PROMPT_LOOKUP}, got {value!r}")
    return value


def lookup_draft(prompt: Sequence[int], answer: Sequence[int], size: int) -> list[int]:
    """Up to ``size`` tokens that may come next in ``answer``, copied from the text after
    an earlier occurrence of its last tokens: the latest occurrence in the prompt of the
    longest of its last 3, 2 or 1 tokens found there, else in the answer itself (a
    revision mostly copies its piece, which sits at the end of the prompt)."""
    if size < 1 or not answer:
        return []
    text = [*prompt, *answer]
    end = len(text)
    for n in range(min(_DRAFT_NGRAM, len(answer)), 0, -1):
        tail = text[end - n :]
        # windows inside the prompt, then inside the answer before its own tail
        for low, high in ((0, len(prompt) - n), (len(prompt), end - n - 1)):
            for start in range(high, low - 1, -1):
                if text[start : start + n] == tail:
                    return text[start + n : start + n + size]
    return []


def prefill_groups(lengths: Sequence[int], call_cost: int = PREFILL_CALL_TOKENS) -> list[list[int]]:
    """The rows (indices into ``lengths``) split into groups for the prompts' pass, each
    group padded to its longest: of the splits of the rows sorted longest first, the one
    that runs the fewest tokens, counting ``call_cost`` tokens for each group's call. One
    long prompt among short ones gets a group of its own instead of padding them all."""
    order = sorted(range(len(lengths)), key=lambda k: -lengths[k])
    best = [0] + [None] * len(order)  # best[i]: the cost of the first i rows
    cut = [0] * (len(order) + 1)
    for i in range(1, len(order) + 1):
        for j in range(i):  # the group order[j:i], padded to its first (longest) row
            cost = best[j] + (i - j) * lengths[order[j]] + call_cost
            if best[i] is None or cost < best[i]:
                best[i], cut[i] = cost, j
    groups, i = [], len(order)
    while i > 0:
        groups.append(order[cut[i] : i])
        i = cut[i]
    return groups[::-1]


def compact(cache: DynamicCache, mask: torch.Tensor) -> torch.Tensor:
    """Drop the masked positions (gaps, rejected drafts) from ``cache``, in place: each
    row's kept positions in order, aligned on the right, padded on the left. Returns the
    new mask. Positions are in the keys already, so the model's answers do not change;
    without this, a row whose drafts keep failing would grow its cache by a whole draft
    every pass."""
    kept = mask.sum(1)
    width = int(kept.max())
    index = torch.zeros((mask.shape[0], width), dtype=torch.long, device=mask.device)
    new_mask = torch.zeros((mask.shape[0], width), dtype=mask.dtype, device=mask.device)
    for row in range(mask.shape[0]):
        columns = mask[row].nonzero()[:, 0]
        index[row, width - len(columns) :] = columns
        new_mask[row, width - len(columns) :] = 1
    for layer in cache.layers:
        for kind in ("keys", "values"):
            tensor = getattr(layer, kind)
            gather = index[:, None, :, None].expand(-1, tensor.shape[1], -1, tensor.shape[3])
            setattr(layer, kind, tensor.gather(2, gather))
    return new_mask


def _merged(
    parts: Sequence[tuple[list[int], DynamicCache, torch.Tensor]],
    shared: int,
    device: torch.device,
) -> tuple[DynamicCache, torch.Tensor]:
    """The caches and masks of the prompts' groups as one: each group's gap after the
    shared prefix widened (zeros, masked) to the widest group's, the rows in their order."""
    width = max(mask.shape[1] for _, _, mask in parts)
    order = torch.argsort(torch.tensor([k for group, _, _ in parts for k in group])).to(device)
    layers = [
        tuple(
            torch.cat(
                [widened(getattr(c.layers[layer], kind), 2, width, at=shared) for _, c, _ in parts]
            )[order]
            for kind in ("keys", "values")
        )
        for layer in range(len(parts[0][1].layers))
    ]
    mask = torch.cat([widened(mask, 1, width, at=shared) for _, _, mask in parts])[order]
    return DynamicCache(ddp_cache_data=layers), mask


def position_groups(lengths: Sequence[int], limit: int = SCORE_PASS_POSITIONS) -> list[list[int]]:
    """Indices of ``lengths`` in groups of similar length, shortest first, each group's
    rows times its longest at most ``limit`` (a row longer than that alone)."""
    groups: list[list[int]] = []
    for k in sorted(range(len(lengths)), key=lambda k: lengths[k]):
        if groups and (len(groups[-1]) + 1) * lengths[k] <= limit:
            groups[-1].append(k)
        else:
            groups.append([k])
    return groups


def _laid(
    prefixes: dict[int, list[tuple[torch.Tensor, torch.Tensor]]], shared: Sequence[int], held: int
) -> list[tuple[torch.Tensor, ...]]:
    """Per layer, the keys and values of each row's prefix (one row each, ``shared[i]``
    long; zeros for a row without one) stacked into one batch, ``held`` positions wide."""
    some = next(iter(prefixes.values()))

    def part(i: int, layer: int, t: int) -> torch.Tensor:
        if i in prefixes:
            return widened(prefixes[i][layer][t], 2, held, at=shared[i])
        like = some[layer][t]
        return like.new_zeros((1, like.shape[1], held, like.shape[3]))

    return [
        tuple(torch.cat([part(i, layer, t) for i in range(len(shared))]) for t in (0, 1))
        for layer in range(len(some))
    ]


class Decoder:
    """Greedy decoding of rows with one model (a causal LM or a PeftModel).

    Args:
        model: in eval mode; may be replaced later (``model`` is read at every call), as
            the adapter pool does when its first adapter wraps the base model.
        tokenizer: its tokenizer, with a pad token.
        max_new_tokens, length_factor, loop_ngram: the length cap and the loop guard
            (``ReviseSettings``).
        cache_bytes: the most memory the answered rows' caches kept for ``score`` may hold
            (0: keep none).
        prompt_lookup: every row drafts up to this many tokens at a time by copying from
            its prompt (``lookup_draft``), and the model checks a draft in one forward pass;
            0: one token per pass always.
    """

    def __init__(
        self,
        model: torch.nn.Module,
        tokenizer,
        *,
        max_new_tokens: int = 256,
        length_factor: float = 1.5,
        loop_ngram: int = 8,
        cache_bytes: int = 256 * 2**20,
        prompt_lookup: int = 10,
    ) -> None:
        if tokenizer.pad_token_id is None:
            raise ValueError("the tokenizer has no pad token: set it (e.g. to its EOS) first")
        if isinstance(cache_bytes, bool) or not isinstance(cache_bytes, int) or cache_bytes < 0:
            raise ValueError(f"cache_bytes must be a non-negative integer, got {cache_bytes!r}")
        self.prompt_lookup = check_prompt_lookup(prompt_lookup)
        self.model, self.tokenizer = model, tokenizer
        self.max_new_tokens, self.length_factor = max_new_tokens, length_factor
        self.loop_ngram = loop_ngram
        eos = model.generation_config.eos_token_id
        eos = eos if isinstance(eos, list) else [eos]
        self.eos_ids = {i for i in [*eos, tokenizer.eos_token_id] if i is not None}
        # Built once: it pre-computes tables over the whole vocabulary.
        self.newline_stop = StopStringCriteria(tokenizer, ["\n"])
        self.cache_bytes = cache_bytes
        # (prompt, adapter) -> what generate kept of the row that answered it
        self._kept: OrderedDict[tuple, GeneratedRow] = OrderedDict()
        self._cached_bytes = 0
        self._cache_lock = threading.Lock()
        # (model, adapters attached, adapter named, instruction ids) -> per layer (keys,
        # values) of the instruction's pass, one row; the least recently used dropped first
        self._instructions: OrderedDict[tuple, list] = OrderedDict()
        # (format, intentions) -> the prompt of an empty piece
        self._empty_prompts: dict[tuple[str, ...], tuple[int, ...]] = {}
        self._prompt_formats: dict[str, PromptFormat] = {}  # adapter -> its prompt format

    # --- rows -----------------------------------------------------------------------

    def budget(self, piece: str) -> int:
        """The length cap for ``piece``, in tokens."""
        tokens = len(self.tokenizer(piece, add_special_tokens=False)["input_ids"])
        return min(self.max_new_tokens, int(self.length_factor * tokens) + 16)

    def use_prompt_format(self, adapter: str, prompt_format: str) -> None:
        """Prompt ``adapter``'s rows in ``prompt_format``, the format it was trained with
        (``AdapterBundle.prompt_format``); an adapter never named here, and the base model,
        get the default (``chat``).

        Raises:
            ValueError: an unknown format.
        """
        self._prompt_formats[adapter] = check_prompt_format(prompt_format)

    def prompt_format(self, adapter: str | None) -> PromptFormat:
        """The prompt format of ``adapter``'s rows (None: the base model)."""
        return self._prompt_formats.get(adapter, DEFAULT_PROMPT_FORMAT)

    def row(self, piece: str, intentions: Sequence[str], adapter: str | None = None) -> Row:
        """The row that revises ``piece`` for ``intentions`` with ``adapter``, prompted in
        the adapter's format."""
        form = self.prompt_format(adapter)
        prompt = tuple(prompt_token_ids(self.tokenizer, piece, intentions, form))
        instruction = min(self._instruction_length(prompt, intentions, form), len(prompt) - 1)
        return Row(prompt, self.budget(piece), "\n" not in piece, adapter, instruction)

    def _instruction_length(
        self, prompt: Sequence[int], intentions: Sequence[str], form: PromptFormat
    ) -> int:
        """How many of ``prompt``'s first tokens come before its piece: where it parts from
        the prompt of an empty piece for the same intentions and format (made once each)."""
        key = (form.value, *intentions)
        empty = self._empty_prompts.get(key)
        if empty is None:
            empty = tuple(prompt_token_ids(self.tokenizer, "", intentions, form))
            if len(self._empty_prompts) < 256:  # intentions combine in few ways
                self._empty_prompts[key] = empty
        return common_prefix_length([prompt, empty])

    def _adapter_names(self, adapters: Sequence[str | None]) -> dict:
        """``adapter_names`` for a call whose rows use ``adapters`` (none for a plain model);
        each adapter is checked by ``generate_kwargs``, which raises ModelLoadError for
        one that is not attached. Empty when every row uses the model's only adapter
        (``sole_adapter``): the call applies it to every row without them."""
        names = {a: generate_kwargs(self.model, a).get("adapter_names") for a in set(adapters)}
        sole = sole_adapter(self.model)
        if not any(names.values()) or (sole is not None and set(names) == {sole}):
            return {}
        return {"adapter_names": [names[a][0] for a in adapters]}

    def _padded(self, prompts: Sequence[Sequence[int]]) -> tuple[torch.Tensor, torch.Tensor]:
        width = max(len(ids) for ids in prompts)
        input_ids = torch.full((len(prompts), width), self.tokenizer.pad_token_id, dtype=torch.long)
        mask = torch.zeros((len(prompts), width), dtype=torch.long)
        for k, ids in enumerate(prompts):
            input_ids[k, width - len(ids) :] = torch.tensor(list(ids), dtype=torch.long)
            mask[k, width - len(ids) :] = 1
        return input_ids, mask

    # --- generation -----------------------------------------------------------------

    def generate_ids(
        self, rows: Sequence[Row], stops: Sequence[StoppingCriteria], **search
    ) -> torch.Tensor:
        """One transformers ``generate`` call without sampling over ``rows`` (left padded),
        for the searches ``generate`` does not do (beam search); returns only the answers'
        token ids on the CPU, (rows x returned sequences, longest answer)."""
        input_ids, mask = self._padded([row.prompt for row in rows])
        device = next(self.model.parameters()).device
        names = self._adapter_names([row.adapter for row in rows])  # PEFT repeats them per beam
        with torch.inference_mode():
            out = self.model.generate(
                input_ids=input_ids.to(device),
                attention_mask=mask.to(device),
                max_new_tokens=max(row.budget for row in rows),
                do_sample=False,
                stopping_criteria=StoppingCriteriaList(list(stops)),
                pad_token_id=self.tokenizer.pad_token_id,
                **names,
                **search,
            )
        answers = out[:, input_ids.shape[1] :].cpu()
        assert answers.shape[0] == len(rows) * search.get("num_return_sequences", 1)
        return answers

    def generate(
        self,
        rows: Sequence[Row],
        cancel: Sequence[threading.Event | None] | None = None,
        on_answer: Callable[[int, Decoded], None] | None = None,
        more: Callable[[int], Sequence[tuple[Row, threading.Event | None]]] | None = None,
    ) -> list[Decoded]:
        """Decode ``rows`` together, greedily; a row whose ``cancel`` event is set stops at
        its next token. ``on_answer(index, answer)`` is called as each row ends, while the
        others run on.

        After the prompts' pass, each pass of the model feeds every running row its next
        token and up to ``prompt_lookup`` tokens drafted after it (``lookup_draft``). The
        model's greedy choice at each position says how much of the draft is right: those
        tokens are kept, with the model's choice after them. A rejected draft's positions
        stay in the cache, masked out, until gaps outnumber tokens (``compact``), and a row
        that has ended leaves the batch.

        Rows may join the running batch: between passes, ``more(rows running)`` returns
        the rows to add, with their cancel events (none: nothing joins); their prompts run
        in a pass of their own and their caches are joined to the batch's, with masked
        gaps. They are numbered after ``rows``, in the order they came. ``more`` may use
        the model meanwhile (the batch's cache is not the model's).

        Returns:
            Every row's answer: ``rows`` first, then those that joined.
        """
        if not rows:
            return []
        rows = list(rows)
        stops = RowStops(rows, self.eos_ids, self.loop_ngram, self.newline_stop, cancel)
        answers: list[list[int]] = [[] for _ in rows]
        logprobs: list[list[float]] = [[] for _ in rows]  # of each answer token
        decoded: list[Decoded | None] = [None] * len(rows)
        device = next(self.model.parameters()).device
        names = self._adapter_names([row.adapter for row in rows]).get("adapter_names")
        with torch.inference_mode():
            cache, mask, first = self._prefill(rows, names, device)
            running = list(range(len(rows)))  # rows in the batch, in the cache's order
            new = [[chosen] for chosen in first]  # per running row: (token, log-prob) to add
            while True:
                for j, (k, tokens) in enumerate(zip(running, new, strict=True)):
                    for token, logprob in tokens:
                        answers[k].append(token)
                        logprobs[k].append(logprob)
                        if stops.add(k, answers[k]):
                            self._keep(rows[k], cache, j, mask[j], answers[k], logprobs[k])
                            decoded[k] = self.answer(rows[k], answers[k], stops.looped_at[k])
                            if on_answer is not None:
                                on_answer(k, decoded[k])
                            break
                staying = [j for j, k in enumerate(running) if stops.ended_at[k] is None]
                if len(staying) < len(running):
                    if staying:
                        cache.batch_select_indices(torch.tensor(staying, device=device))
                    mask, running = mask[staying], [running[j] for j in staying]
                joining = list(more(len(running))) if more is not None else []
                if joining:
                    added = [row for row, _ in joining]
                    stops.extend(added, [event for _, event in joining])
                    answers += [[] for _ in added]
                    logprobs += [[] for _ in added]
                    decoded += [None] * len(added)
                    start = len(rows)
                    rows += added
                    names = self._adapter_names([row.adapter for row in rows]).get("adapter_names")
                    cache, mask, added_first = self._join(
                        cache if running else None,
                        mask,
                        added,
                        names[start:] if names else None,
                        device,
                    )
                    # the joiners' first tokens are taken at the top, before the next pass
                    new = [[] for _ in running] + [[chosen] for chosen in added_first]
                    running += range(start, len(rows))
                    continue
                if not running:
                    break
                drafts = [
                    lookup_draft(
                        rows[k].prompt,
                        answers[k],
                        min(self.prompt_lookup, rows[k].budget - len(answers[k])),
                    )
                    for k in running
                ]
                width = 1 + max(len(draft) for draft in drafts)
                block = torch.full((len(running), width), self.tokenizer.pad_token_id)
                fed = torch.zeros((len(running), width), dtype=torch.long)
                positions = torch.zeros((len(running), width), dtype=torch.long)
                for j, (k, draft) in enumerate(zip(running, drafts, strict=True)):
                    block[j, : 1 + len(draft)] = torch.tensor([answers[k][-1], *draft])
                    fed[j, : 1 + len(draft)] = 1
                    # the row's next token sits after its prompt and the answer so far
                    start = len(rows[k].prompt) + len(answers[k]) - 1
                    positions[j] = torch.arange(start, start + width)
                before = mask.shape[1]
                mask = torch.cat([mask, fed.to(device)], dim=1)
                row_names = [names[k] for k in running] if names else None
                greedy = _greedy(self._forward(block, mask, positions, cache, row_names))
                new = []
                for j, (draft, chosen) in enumerate(zip(drafts, greedy, strict=True)):
                    right = 0
                    while right < len(draft) and draft[right] == chosen[right][0]:
                        right += 1
                    new.append(chosen[: right + 1])  # the draft's right tokens, and one more
                    mask[j, before + 1 + right :] = 0  # the rejected draft
                if mask.shape[1] > COMPACT_AT * int(mask.sum(1).max()):
                    mask = compact(cache, mask)  # more gaps than tokens: drop the gaps
        return decoded

    def _join(
        self,
        cache: DynamicCache | None,
        mask: torch.Tensor,
        added: Sequence[Row],
        names: list[str] | None,
        device: torch.device,
    ) -> tuple[DynamicCache, torch.Tensor, list[tuple[int, float]]]:
        """The running batch's cache and mask (``cache`` None: no row runs) with ``added``
        rows after its own: their prompts' pass (``_prefill``), joined with masked gaps
        where the widths differ. Returns the cache, the mask and each added row's first
        answer token with its log-probability."""
        added_cache, added_mask, first = self._prefill(added, names, device)
        if cache is None:
            return added_cache, added_mask, first
        held = mask.shape[0]
        cache, mask = _merged(
            [
                (list(range(held)), cache, mask),
                (list(range(held, held + len(added))), added_cache, added_mask),
            ],
            0,
            device,
        )
        return cache, mask, first

    def _prefill(
        self, rows: Sequence[Row], names: list[str] | None, device: torch.device
    ) -> tuple[DynamicCache, torch.Tensor, list[tuple[int, float]]]:
        """The prompts' pass: their longest common prefix (the system prompt and the
        instruction's first words, about 30 tokens) runs once per adapter in the batch, and
        each row's rest runs after it, in groups of similar length (``prefill_groups``) so
        that little of the pass is padding. Where the rows' instructions are known
        (``Row.instruction``), the prefix is at most the instruction, and its cache is kept
        for later calls (``_instruction_cache``), so that it runs once per adapter and
        instruction, not once per call; a row alone then runs only its piece and the
        template's end.

        Returns the cache (rows in order; a row holds the prefix, a masked gap, then the
        rest of its prompt), the attention mask over it and each row's first answer token
        with its log-probability.
        """
        prompts = [row.prompt for row in rows]
        # every row runs at least its last token, whose logits give its first answer token
        shared = min(common_prefix_length(prompts), min(map(len, prompts)) - 1)
        instruction = min(row.instruction for row in rows)
        if instruction > 0:
            shared = min(shared, instruction)
        elif len(rows) == 1:
            shared = 0  # alone, with nothing to keep, one call does it all
        row_names = names or [None] * len(rows)
        prefix: dict = {}  # adapter name -> per layer (keys, values) of the prefix, one row
        if shared > 0:
            ids = tuple(prompts[0][:shared])
            for name in dict.fromkeys(row_names):
                prefix[name] = self._instruction_cache(ids, name, device, keep=instruction > 0)
        rest = [len(p) - shared for p in prompts]
        parts, first = [], [(0, 0.0)] * len(rows)
        for group in prefill_groups(rest):
            width = max(rest[k] for k in group)
            ids = torch.full((len(group), width), self.tokenizer.pad_token_id)
            mask = torch.zeros((len(group), shared + width), dtype=torch.long)
            mask[:, :shared] = 1
            positions = torch.zeros((len(group), width), dtype=torch.long)
            for j, k in enumerate(group):
                gap = width - rest[k]
                ids[j, gap:] = torch.tensor(list(prompts[k][shared:]))
                mask[j, shared + gap :] = 1
                positions[j, gap:] = torch.arange(shared, len(prompts[k]))
            # the group's rows start from their adapters' prefixes
            cache = DynamicCache(
                ddp_cache_data=[
                    tuple(torch.cat([prefix[row_names[k]][i][t] for k in group]) for t in (0, 1))
                    for i in range(len(next(iter(prefix.values()))) if prefix else 0)
                ]
                or None
            )
            mask = mask.to(device)
            group_names = [row_names[k] for k in group] if names else None
            logits = self._forward(ids, mask, positions, cache, group_names, keep=1)
            for k, chosen in zip(group, _greedy(logits), strict=True):
                first[k] = chosen[-1]
            parts.append((group, cache, mask))
        if len(parts) > 1:
            return (*_merged(parts, shared, device), first)
        group, cache, mask = parts[0]
        order = torch.argsort(torch.tensor(group)).to(device)  # back to the rows' order
        cache.batch_select_indices(order)
        return cache, mask[order], first

    def _instruction_cache(
        self, ids: tuple[int, ...], name: str | None, device: torch.device, keep: bool
    ) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Per layer, the keys and values of ``ids`` run alone (one row) with the adapter
        ``name``. With ``keep`` (``ids`` is an instruction), taken from those kept by an
        earlier call, or kept for later ones. Kept per model, adapters attached (PEFT
        computes a row differently once rows are named) and adapter, so a cache never
        outlives the weights that made it. The tensors are never changed in place: each
        pass copies them into its batch."""
        attached = tuple(getattr(self.model, "peft_config", None) or ())
        key = (id(self.model), attached, name, ids)
        with self._cache_lock:
            found = self._instructions.get(key) if keep else None
            if found is not None:
                self._instructions.move_to_end(key)
                return found
        tensor = torch.tensor([list(ids)])
        cache = DynamicCache()
        self._forward(
            tensor,
            torch.ones_like(tensor, device=device),
            torch.arange(len(ids))[None],
            cache,
            [name] if name else None,
            keep=1,
        )
        layers = [(layer.keys, layer.values) for layer in cache.layers]
        if keep:
            with self._cache_lock:
                self._instructions[key] = layers
                while len(self._instructions) > KEPT_INSTRUCTIONS:
                    self._instructions.popitem(last=False)
        return layers

    def _forward(
        self,
        input_ids: torch.Tensor,
        mask: torch.Tensor,
        positions: torch.Tensor,
        cache: DynamicCache,
        names: list[str] | None,
        keep: int = 0,
    ) -> torch.Tensor:
        """One pass of the model over ``input_ids`` after ``cache`` (extended in place);
        ``mask`` covers the cache and the new tokens. Returns the logits of the last
        ``keep`` positions (0: of every position)."""
        device = mask.device
        out = self.model(
            input_ids=input_ids.to(device),
            attention_mask=mask,
            position_ids=positions.to(device),
            past_key_values=cache,
            use_cache=True,
            logits_to_keep=keep,
            **({"adapter_names": names} if names else {}),
        )
        return out.logits

    def answer(self, row: Row, ids: list[int], looped_at: int | None = None) -> Decoded:
        """A row's answer from its generated ids: cut where it started looping, decoded,
        the first line only for a row that stops at a line break."""
        used = len(ids)
        cut_off = used >= row.budget and (not ids or ids[-1] not in self.eos_ids)
        if looped_at is not None:
            ids = ids[:looped_at]
        text = self.tokenizer.decode(ids, skip_special_tokens=True)
        if row.stop_at_newline:
            text = text.split("\n", 1)[0] if text.strip() else text
        return Decoded(text, used, cut_off)

    # --- scoring --------------------------------------------------------------------

    def score(self, jobs: Sequence[tuple[Row, Sequence[str]]]) -> list[list[float]]:
        """For each ``(row, answers)``, the summed log-probability of each answer (and its
        end-of-turn token) after the row's prompt, with the row's adapter.

        When ``generate`` kept the row (``_keep``), an answer's tokens that its generated
        answer has too take their log-probabilities from the generation, and only the
        rest runs, after the kept cache: the answer itself usually costs nothing, a
        variant with one edit undone only its tokens from the edit on. The other rows'
        prompts run first, together (``_prompt_caches``), each then scored as a row
        whose generated answer is empty. The answers of all rows run together
        (``logprobs_after_generated_rows``).
        """
        names = self._adapter_names([row.adapter for row, _ in jobs]).get("adapter_names")
        pad = self.tokenizer.pad_token_id
        ids = [[answer_token_ids(self.tokenizer, a) for a in answers] for _, answers in jobs]
        kept = [self._take(row) for row, _ in jobs]
        fresh = [k for k, found in enumerate(kept) if found is None]
        if fresh:
            with torch.inference_mode():
                ran = self._prompt_caches(
                    [jobs[k][0] for k in fresh], [names[k] for k in fresh] if names else None
                )
            for k, found in zip(fresh, ran, strict=True):
                kept[k] = found
        return logprobs_after_generated_rows(
            self.model,
            [(found, ids[k], names[k] if names else None) for k, found in enumerate(kept)],
            pad,
        )

    def _prompt_caches(self, rows: Sequence[Row], names: list[str] | None) -> list[GeneratedRow]:
        """Each row's prompt less its last token run, as a ``GeneratedRow`` with an empty
        answer (``logprobs_after_generated_rows`` feeds the last token again before the
        answers), the rows in passes of at most ``SCORE_PASS_POSITIONS`` positions
        (``position_groups``). Run under ``torch.inference_mode`` (by ``score``)."""
        out: list[GeneratedRow | None] = [None] * len(rows)
        for group in position_groups([len(row.prompt) - 1 for row in rows]):
            found = self._prompt_pass(
                [rows[k] for k in group], [names[k] for k in group] if names else None
            )
            for k, generated in zip(group, found, strict=True):
                out[k] = generated
        return out

    def _prompt_pass(self, rows: Sequence[Row], names: list[str] | None) -> list[GeneratedRow]:
        """``_prompt_caches`` of rows run in one pass. A row's instruction comes from
        ``_instruction_cache`` (run once per adapter and instruction and kept, as in
        ``_prefill``); the rests run together, the shorter padded at the end, each row at its
        own positions; a row's cache is then its instruction's and its rest's positions,
        laid from the start."""
        device = next(self.model.parameters()).device
        row_names = names or [None] * len(rows)
        heads = [row.prompt[: len(row.prompt) - 1] for row in rows]
        shared = [min(row.instruction, len(head)) for row, head in zip(rows, heads, strict=True)]
        prefixes = {
            i: self._instruction_cache(tuple(heads[i][: shared[i]]), row_names[i], device, True)
            for i in range(len(rows))
            if shared[i]
        }
        held, width = max(shared), max(len(h) - n for h, n in zip(heads, shared, strict=True))
        tokens = torch.full((len(rows), width), self.tokenizer.pad_token_id)
        mask = torch.zeros((len(rows), held + width), dtype=torch.long)
        positions = torch.zeros((len(rows), width), dtype=torch.long)
        for i, (head, n) in enumerate(zip(heads, shared, strict=True)):
            tokens[i, : len(head) - n] = torch.tensor(list(head[n:]), dtype=torch.long)
            mask[i, :n] = 1
            mask[i, held : held + len(head) - n] = 1
            positions[i] = torch.arange(n, n + width)
        cache = DynamicCache(ddp_cache_data=_laid(prefixes, shared, held) if prefixes else None)
        if width:
            self._forward(tokens, mask.to(device), positions, cache, names, keep=1)
        found = []
        for i, row in enumerate(rows):
            columns = mask[i].nonzero()[:, 0].to(device)
            layers = [
                (layer.keys[i : i + 1, :, columns], layer.values[i : i + 1, :, columns])
                for layer in cache.layers
            ]
            found.append(GeneratedRow(row.prompt, (), (), DynamicCache(ddp_cache_data=layers)))
        return found

    def _keep(
        self,
        row: Row,
        cache: DynamicCache,
        index: int,
        mask: torch.Tensor,
        answer: list[int],
        logprobs: list[float],
    ) -> None:
        """Keep, for ``score``, the cache of the answered row at ``index`` of the batch
        (``mask``: which of its positions are the row's): its prompt and answer less the
        answer's last token, with the answer and its log-probabilities. Nothing is kept
        from a cache of another kind, or beyond ``cache_bytes`` (the oldest go first)."""
        layers = getattr(cache, "layers", None)
        if (
            self.cache_bytes <= 0
            or not layers
            or any(
                getattr(layer, "is_sliding", False)
                or getattr(layer, "keys", None) is None
                or layer.keys.shape[-2] != mask.shape[0]
                for layer in layers
            )
        ):
            return
        columns = mask.nonzero()[: len(row.prompt) + len(answer) - 1, 0]
        rows = slice(index, index + 1)
        kept = GeneratedRow(
            row.prompt,
            tuple(answer),
            tuple(logprobs),
            DynamicCache(
                ddp_cache_data=[
                    (layer.keys[rows, :, columns], layer.values[rows, :, columns])
                    for layer in layers
                ]
            ),
        )
        size = _nbytes(kept)
        with self._cache_lock:
            key = (row.prompt, row.adapter)
            old = self._kept.pop(key, None)
            if old is not None:
                self._cached_bytes -= _nbytes(old)
            if size > self.cache_bytes:
                return
            self._kept[key] = kept
            self._cached_bytes += size
            while self._cached_bytes > self.cache_bytes:
                _, dropped = self._kept.popitem(last=False)
                self._cached_bytes -= _nbytes(dropped)

    @property
    def kept_bytes(self) -> int:
        """The memory the caches kept for ``score`` hold now."""
        return self._cached_bytes

    def _take(self, row: Row) -> GeneratedRow | None:
        """What ``generate`` kept for ``row``, taken out (None: nothing kept)."""
        with self._cache_lock:
            kept = self._kept.pop((row.prompt, row.adapter), None)
            if kept is not None:
                self._cached_bytes -= _nbytes(kept)
            return kept

    def release(self, row: Row) -> None:
        """Drop what ``generate`` kept for ``row``, if ``score`` did not take it: the caller
        is done with the row (an answer left unchanged or discarded is never scored)."""
        self._take(row)

    def scorer(self, row: Row) -> Scorer:
        """Log-probabilities of answers to ``row``'s prompt (``itune_core.confidence``)."""
        return lambda answers: self.score([(row, answers)])[0]
