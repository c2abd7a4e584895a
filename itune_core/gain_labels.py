"""Label edits by the generation adapter's own likelihood: which asked intention an edit
serves.

For an edit shown as ``itune_core.edits.edits_in_sentences`` shows it (the sentence around
it before, and the same sentence with only that edit applied) and each intention k the
writer asked for, the gain is log p(edited | sentence, k) - log p(sentence | sentence, k)
under the adapter's prompt for k, plus a bias per intention fitted on training pairs
(``labelling.json`` in the adapter's folder, written by ``benchmarks/labelling.py``). The
edit takes the intention with the highest gain; its confidence is that intention's share
of the softmax over the asked ones. On ArgRewrite dev, whose labels no model here saw, it
picks the right one of two asked intentions 84.7 % of the time where the Stage-I predictor
does 76.5 % (docs/default-adapter.md, "Labelling edits").

It scores with the decoder's ``score``, which must run where the model is free: the
adapter pool hands each chunk of at most ``CHUNK`` prompts to the scheduler's thread
(``BatchScheduler.call``), so other writers' passes go on between the chunks of a long
draft's labelling instead of waiting for all of it.
"""

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from itune_core.decoding import Decoder
from itune_core.edits import Edit, edits_in_sentences
from itune_core.intentions import INTENTIONS

CHUNK = 8  # prompts scored in one call (two passes: their rests, then their answers)


def _now(fn: Callable[[], object]) -> object:
    return fn()


@dataclass(frozen=True)
class GainLabeller:
    """Labels edits among the asked intentions by ``adapter``'s likelihood gain.

    Attributes:
        decoder: the decoder of the model that holds ``adapter`` (its ``score`` is called).
        adapter: the adapter whose answers are labelled.
        bias: nats added to each intention's gain.
        run: runs a scoring call where the model is free and returns its result (the
            pool's ``BatchScheduler.call``); by default, at once in this thread.
    """

    decoder: Decoder
    adapter: str
    bias: Mapping[str, float]
    run: Callable[[Callable[[], object]], object] = _now

    def gains(
        self, revisions: Sequence[tuple[str, Sequence[Edit], Sequence[str]]]
    ) -> list[list[dict[str, float]]]:
        """For each ``(source, edits, among)``, each edit's gain plus bias under each
        intention of ``among`` (in the app's order; none where ``among`` holds no
        intention); every sentence of them all scored together, ``CHUNK`` prompts a call."""
        jobs, owners = [], []  # one job per (sentence, intention): its edits' variants
        found: list[list[dict[str, float]]] = []
        for source, edits, among in revisions:
            wanted = [k for k in INTENTIONS if k in set(among)]
            pairs = edits_in_sentences(source, edits) if wanted else []
            by_sentence: dict[str, list[int]] = {}
            for i, (before, _) in enumerate(pairs):
                by_sentence.setdefault(before, []).append(i)
            gains: list[dict[str, float]] = [{} for _ in edits]
            for before, members in by_sentence.items():
                answers = [pairs[i][1] for i in members] + [before]
                for k in wanted:
                    jobs.append((self.decoder.row(before, [k], self.adapter), answers))
                    owners.append((gains, members, k))
            found.append(gains)
        scores = []
        for start in range(0, len(jobs), CHUNK):
            chunk = jobs[start : start + CHUNK]
            scores += self.run(lambda chunk=chunk: self.decoder.score(chunk))
        for (gains, members, k), logprobs in zip(owners, scores, strict=True):
            copy = logprobs[-1]
            for i, logprob in zip(members, logprobs[:-1], strict=True):
                gains[i][k] = logprob - copy + self.bias.get(k, 0.0)
        return found

    def label_many(
        self, revisions: Sequence[tuple[str, str, Sequence[Edit], Sequence[str]]]
    ) -> list[list[Edit]]:
        """For each ``(source, revised, edits, among)``, its edits each labelled with the
        likeliest of the intentions ``among`` (those the writer asked for; an edit keeps
        its label where none of them is an intention) and its confidence (``gains``)."""
        found = self.gains([(source, edits, among) for source, _, edits, among in revisions])
        return [
            [
                _labelled(edit, gain) if gain else edit
                for edit, gain in zip(edits, gains, strict=True)
            ]
            for (_, _, edits, _), gains in zip(revisions, found, strict=True)
        ]

    def label_edits(
        self, source: str, revised: str, edits: Sequence[Edit], among: Sequence[str] = INTENTIONS
    ) -> list[Edit]:
        """``label_many`` of one revision."""
        return self.label_many([(source, revised, edits, among)])[0]

    def __call__(
        self, source: str, revised: str, edits: list[Edit], among: Sequence[str] = INTENTIONS
    ) -> list[Edit]:
        """The reviser's labeller hook: ``label_edits``."""
        return self.label_edits(source, revised, edits, among)


def _labelled(edit: Edit, gains: Mapping[str, float]) -> Edit:
    top = max(gains.values())
    weights = {k: math.exp(v - top) for k, v in gains.items()}
    label = max(gains, key=gains.get)  # ties: the first asked, in the app's order
    return replace(edit, intention=label, confidence=weights[label] / sum(weights.values()))
