"""The one decoder: greedy generation of many pieces at once, each row with its own stops.

The app (through ``itune_core.scheduler``), ``evaluate`` and the benchmarks all decode
here, so prompt building, stops, the loop guard, the length cap and cleaning live in one
place. A *row* is one piece to revise: its prompt ids (``itune_core.prompts``), its length
cap ``min(max_new_tokens, length_factor * piece tokens + 16)``, whether a line break ends
it (pieces without one) and the adapter it is decoded with. Rows are padded on the left, so
every answer starts at the same position; positions come from the attention mask, and in
float32 a row's greedy answer does not depend on what shares its batch (tested).

A call with a single row (a writer alone with one sentence) uses prompt lookup instead
(transformers' ``prompt_lookup_num_tokens``, one row only): a revision copies most of its
piece, so tokens drafted by copying the prompt after the answer's last two tokens are
mostly right, and the model checks a whole draft in one forward pass, keeping the tokens it
would have chosen. The answer is the greedy one (the same text in float32, tested), in
fewer passes. Since a pass may add several tokens, ``RowStops`` looks at each of them in
order, so a row ends exactly where it would one token at a time.

Rows with different adapters share a batch: PEFT takes one adapter name per row
(``adapter_names``), and a LoRA layer applies to each row only its own adapter's weights.

The prompt's key/value cache that ``generate`` computed is kept per row (bounded, the
oldest dropped first) and taken by ``score`` for the same prompt and adapter, so scoring an
answer's variants does not run the prompt again: it would cost about as much as the
variants themselves. The caller hands back a row it is done with (``release``), so the
cache of an answer that is never scored (unchanged, or discarded) does not stay until
pushed out.

This module is the seam where a serving engine for GPU hosts (for example vLLM with
multi-LoRA serving) could replace ``generate``: such an engine needs only ``Decoder.generate``
(rows in, ``Decoded`` out) and ``Decoder.score`` (answers' log-probabilities), with
``Decoder.release`` a no-op where it keeps nothing.
"""

import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch
from transformers import DynamicCache, StoppingCriteria, StoppingCriteriaList, StopStringCriteria

from itune_core.adapters import generate_kwargs
from itune_core.confidence import Scorer, shared_prompt_logprobs
from itune_core.prompts import answer_token_ids, prompt_token_ids


@dataclass(frozen=True)
class Row:
    """One piece to decode.

    Attributes:
        prompt: the prompt's token ids.
        budget: the most tokens the answer may have.
        stop_at_newline: a line break ends the answer (the piece had none).
        adapter: the adapter to decode with (None: the base model).
    """

    prompt: tuple[int, ...]
    budget: int
    stop_at_newline: bool
    adapter: str | None = None


@dataclass(frozen=True)
class Decoded:
    """A row's answer: its text (first line only for a row that stops at a line break, cut
    where it started looping), the tokens generated (the stop token included), and whether
    the length cap ended it."""

    text: str
    tokens: int
    cut_off: bool


class RowStops(StoppingCriteria):
    """Each row's stops, remembering where and why each row ended.

    A row ends at an end-of-turn token, at a line break (only rows that stop at one), when
    its last ``n`` tokens already occurred among its earlier ones (a loop), at its own
    length cap, or when its ``cancel`` event is set. Ended rows are padded by transformers
    until the whole batch is done; a batch whose rows have all ended stops.
    """

    def __init__(
        self,
        prompt_width: int,
        rows: Sequence[Row],
        eos_ids: set[int],
        loop_ngram: int,
        newline_stop: StoppingCriteria | None,
        cancel: Sequence[threading.Event | None] | None = None,
    ) -> None:
        self.width, self.n = prompt_width, loop_ngram
        self.budgets = [row.budget for row in rows]
        self.stop_at_newline = [row.stop_at_newline for row in rows]
        self.eos_ids, self.newline_stop = eos_ids, newline_stop
        self.cancel = list(cancel) if cancel is not None else [None] * len(rows)
        self.ended_at: list[int | None] = [None] * len(rows)  # tokens when the row ended
        self.looped_at: list[int | None] = [None] * len(rows)
        self._seen: list[set[tuple[int, ...]]] = [set() for _ in rows]
        self._checked = 0  # answer tokens checked so far

    def __call__(self, input_ids: torch.Tensor, scores, **kwargs) -> torch.Tensor:
        # Every token added since the last call is checked in order: a call usually brings
        # one, but prompt lookup (``Decoder``) accepts several at once, and a stop among
        # them must end the row there, not at the last one.
        length = input_ids.shape[1] - self.width
        for seen in range(self._checked + 1, length + 1):
            self._check(input_ids[:, : self.width + seen], scores)
        self._checked = max(self._checked, length)
        return torch.tensor([e is not None for e in self.ended_at], device=input_ids.device)

    def _check(self, input_ids: torch.Tensor, scores) -> None:
        """Apply the stops to the rows' answers as far as ``input_ids`` goes."""
        generated = input_ids[:, self.width :]  # (rows, tokens so far)
        length = generated.shape[1]
        newline = (
            self.newline_stop(input_ids, scores).tolist()
            if self.newline_stop is not None and any(self.stop_at_newline)
            else [False] * len(self.budgets)
        )
        for row in range(len(self.budgets)):
            if self.ended_at[row] is not None:
                continue
            ids = generated[row].tolist()
            stop = ids[-1] in self.eos_ids or (self.stop_at_newline[row] and newline[row])
            # The loop guard: the last n tokens equal n tokens that end before them. One
            # new such n-gram becomes comparable per token (it starts at length - 2n).
            n = self.n
            if length >= 2 * n:
                start = length - 2 * n
                self._seen[row].add(tuple(ids[start : start + n]))
                if tuple(ids[-n:]) in self._seen[row]:
                    self.looped_at[row] = length - n
                    stop = True
            cancelled = self.cancel[row] is not None and self.cancel[row].is_set()
            if stop or cancelled or length >= self.budgets[row]:
                self.ended_at[row] = length


def _nbytes(kept: list[tuple[torch.Tensor, torch.Tensor]]) -> int:
    """The memory one kept prompt cache holds."""
    return sum(t.nbytes for pair in kept for t in pair)


class Decoder:
    """Greedy decoding of rows with one model (a causal LM or a PeftModel).

    Args:
        model: in eval mode; may be replaced later (``model`` is read at every call), as
            the adapter pool does when its first adapter wraps the base model.
        tokenizer: its tokenizer, with a pad token.
        max_new_tokens, length_factor, loop_ngram: the length cap and the loop guard
            (``ReviseSettings``).
        max_rows: rows per ``generate`` call when ``decode`` splits a list of rows.
        prompt_cache_bytes: the most memory the prompts' caches kept for ``score`` may hold
            (0: keep none).
        prompt_lookup: a call with a single row drafts up to this many tokens at a time by
            copying from its prompt, and the model checks a draft in one forward pass
            (transformers' prompt lookup decoding); 0: one token per pass always.
    """

    def __init__(
        self,
        model: torch.nn.Module,
        tokenizer,
        *,
        max_new_tokens: int = 256,
        length_factor: float = 1.5,
        loop_ngram: int = 8,
        max_rows: int = 16,
        prompt_cache_bytes: int = 256 * 2**20,
        prompt_lookup: int = 10,
    ) -> None:
        if tokenizer.pad_token_id is None:
            raise ValueError("the tokenizer has no pad token: set it (e.g. to its EOS) first")
        if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1:
            raise ValueError(f"max_rows must be a positive integer, got {max_rows!r}")
        if (
            isinstance(prompt_cache_bytes, bool)
            or not isinstance(prompt_cache_bytes, int)
            or prompt_cache_bytes < 0
        ):
            raise ValueError(
                f"prompt_cache_bytes must be a non-negative integer, got {prompt_cache_bytes!r}"
            )
        if isinstance(prompt_lookup, bool) or not isinstance(prompt_lookup, int):
            raise ValueError(f"prompt_lookup must be an integer, got {prompt_lookup!r}")
        if not 0 <= prompt_lookup <= 64:
            raise ValueError(f"prompt_lookup must be 0 (off) to 64, got {prompt_lookup!r}")
        self.prompt_lookup = prompt_lookup
        self.model, self.tokenizer = model, tokenizer
        self.max_new_tokens, self.length_factor = max_new_tokens, length_factor
        self.loop_ngram, self.max_rows = loop_ngram, max_rows
        eos = model.generation_config.eos_token_id
        eos = eos if isinstance(eos, list) else [eos]
        self.eos_ids = {i for i in [*eos, tokenizer.eos_token_id] if i is not None}
        # Built once: it pre-computes tables over the whole vocabulary.
        self.newline_stop = StopStringCriteria(tokenizer, ["\n"])
        self.prompt_cache_bytes = prompt_cache_bytes
        # (prompt, adapter) -> per layer (keys, values) of the prompt less its last token
        self._prompt_caches: OrderedDict[tuple, list[tuple[torch.Tensor, torch.Tensor]]] = (
            OrderedDict()
        )
        self._cached_bytes = 0
        self._cache_lock = threading.Lock()

    # --- rows -----------------------------------------------------------------------

    def budget(self, piece: str) -> int:
        """The length cap for ``piece``, in tokens."""
        tokens = len(self.tokenizer(piece, add_special_tokens=False)["input_ids"])
        return min(self.max_new_tokens, int(self.length_factor * tokens) + 16)

    def row(self, piece: str, intentions: Sequence[str], adapter: str | None = None) -> Row:
        """The row that revises ``piece`` for ``intentions`` with ``adapter``."""
        prompt = tuple(prompt_token_ids(self.tokenizer, piece, intentions))
        return Row(prompt, self.budget(piece), "\n" not in piece, adapter)

    def _adapter_names(self, adapters: Sequence[str | None]) -> dict:
        """``adapter_names`` for a call whose rows use ``adapters`` (none for a plain model);
        each adapter is checked by ``generate_kwargs``, which raises ModelLoadError for
        one that is not attached."""
        names = {a: generate_kwargs(self.model, a).get("adapter_names") for a in set(adapters)}
        if not any(names.values()):
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
        """One ``generate`` call without sampling over ``rows`` (left padded); returns only
        the answers' token ids on the CPU, (rows x returned sequences, longest answer)."""
        return self._generate(rows, stops, **search)[0]

    def _generate(
        self, rows: Sequence[Row], stops: Sequence[StoppingCriteria], **search
    ) -> tuple[torch.Tensor, object]:
        """``generate_ids``, and the cache ``generate`` ended with (None unless
        ``return_dict_in_generate=True`` is among ``search``)."""
        input_ids, mask = self._padded([row.prompt for row in rows])
        device = next(self.model.parameters()).device
        adapters = [row.adapter for row in rows]
        returned = search.get("num_return_sequences", 1)
        names = self._adapter_names(adapters)  # PEFT repeats them per beam itself
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
        cache = None
        if not isinstance(out, torch.Tensor):
            out, cache = out.sequences, out.past_key_values
        answers = out[:, input_ids.shape[1] :].cpu()
        assert answers.shape[0] == len(rows) * returned
        return answers, cache

    def generate(
        self, rows: Sequence[Row], cancel: Sequence[threading.Event | None] | None = None
    ) -> list[Decoded]:
        """Decode ``rows`` together, in one ``generate`` call; a row whose ``cancel`` event
        is set stops at its next token."""
        if not rows:
            return []
        input_width = max(len(row.prompt) for row in rows)
        stops = RowStops(
            input_width, rows, self.eos_ids, self.loop_ngram, self.newline_stop, cancel
        )
        keep = self.prompt_cache_bytes > 0
        # transformers drafts from the prompt for one row at a time only; a revision copies
        # most of its piece, so most drafted tokens are accepted.
        lookup = {"prompt_lookup_num_tokens": self.prompt_lookup}
        search = lookup if len(rows) == 1 and self.prompt_lookup else {}
        generated, cache = self._generate(rows, [stops], return_dict_in_generate=keep, **search)
        if cache is not None:
            self._keep_prompt_caches(rows, cache, input_width)
        decoded = []
        for k, row in enumerate(rows):
            end = stops.ended_at[k] if stops.ended_at[k] is not None else generated.shape[1]
            decoded.append(self.answer(row, generated[k, :end].tolist(), stops.looped_at[k]))
        return decoded

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

    def decode(
        self, rows: Sequence[Row], cancel: threading.Event | None = None
    ) -> Iterator[tuple[int, Decoded]]:
        """Decode ``rows`` in batches of ``max_rows`` rows of similar length, yielding
        ``(index in rows, answer)`` as each batch completes; stops early when ``cancel``
        is set."""
        order = sorted(range(len(rows)), key=lambda k: -len(rows[k].prompt))
        for start in range(0, len(order), self.max_rows):
            if cancel is not None and cancel.is_set():
                return
            chunk = order[start : start + self.max_rows]
            answers = self.generate([rows[k] for k in chunk], [cancel] * len(chunk))
            yield from zip(chunk, answers, strict=True)

    # --- scoring --------------------------------------------------------------------

    def score(self, jobs: Sequence[tuple[Row, Sequence[str]]]) -> list[list[float]]:
        """For each ``(row, answers)``, the summed log-probability of each answer (and its
        end-of-turn token) after the row's prompt, with the row's adapter; each prompt is
        run once and its cache shared by its answers (``shared_prompt_logprobs``), or not
        run at all when ``generate`` kept its cache."""
        out = []
        for row, answers in jobs:
            names = self._adapter_names([row.adapter]).get("adapter_names")
            ids = [answer_token_ids(self.tokenizer, a) for a in answers]
            kept = self._take_prompt_cache(row)
            out.append(
                shared_prompt_logprobs(
                    self.model,
                    row.prompt,
                    ids,
                    self.tokenizer.pad_token_id,
                    names[0] if names else None,
                    prompt_cache=DynamicCache(ddp_cache_data=kept) if kept else None,
                )
            )
        return out

    def _keep_prompt_caches(self, rows: Sequence[Row], cache: object, width: int) -> None:
        """Keep each row's prompt (less its last token) from the cache of the ``generate``
        call that answered it, for ``score``; nothing from a cache of another kind."""
        layers = getattr(cache, "layers", None)
        if not layers or any(
            getattr(layer, "is_sliding", False)
            or getattr(layer, "keys", None) is None
            or layer.keys.shape[-2] < width
            for layer in layers
        ):
            return
        for k, row in enumerate(rows):
            if len(row.prompt) < 2:
                continue
            start = width - len(row.prompt)
            kept = [
                (
                    layer.keys[k : k + 1, :, start : width - 1].clone(),
                    layer.values[k : k + 1, :, start : width - 1].clone(),
                )
                for layer in layers
            ]
            size = _nbytes(kept)
            with self._cache_lock:
                key = (row.prompt, row.adapter)
                old = self._prompt_caches.pop(key, None)
                if old is not None:
                    self._cached_bytes -= _nbytes(old)
                if size > self.prompt_cache_bytes:
                    continue
                self._prompt_caches[key] = kept
                self._cached_bytes += size
                while self._cached_bytes > self.prompt_cache_bytes:
                    _, dropped = self._prompt_caches.popitem(last=False)
                    self._cached_bytes -= _nbytes(dropped)

    @property
    def kept_prompt_bytes(self) -> int:
        """The memory the prompt caches kept for ``score`` hold now."""
        return self._cached_bytes

    def _take_prompt_cache(self, row: Row) -> list[tuple[torch.Tensor, torch.Tensor]] | None:
        """The prompt cache ``generate`` kept for ``row``, taken out (None: none kept)."""
        with self._cache_lock:
            kept = self._prompt_caches.pop((row.prompt, row.adapter), None)
            if kept is not None:
                self._cached_bytes -= _nbytes(kept)
            return kept

    def release(self, row: Row) -> None:
        """Drop the prompt cache kept for ``row``, if ``score`` did not take it: the caller
        is done with the row (an answer left unchanged or discarded is never scored)."""
        self._take_prompt_cache(row)

    def scorer(self, row: Row) -> Scorer:
        """Log-probabilities of answers to ``row``'s prompt (``itune_core.confidence``)."""
        return lambda answers: self.score([(row, answers)])[0]
