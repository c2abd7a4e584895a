"""The trained intention predictor at run time: label edits, suggest intentions.

A Stage-I predictor (``IntentionClassifier``) reads a before/after pair and gives a
probability per intention. Two uses in the app:

- ``label_edits``: which of the intentions the writer asked for each edit of a revision
  serves (the reviser asks only when several were asked: with one, every edit carries
  it). Each edit is shown to the predictor the way IteraTeR's sentence-level data shows
  edits: the sentence around the edit before, and the same sentence with only that edit
  applied.
- ``suggest_intentions``: which intentions a draft needs. A draft has no "after", so the
  caller revises it once for every intention and the predictor labels those edits; an
  intention's confidence is the highest probability any edit gave it.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import torch
from transformers import DynamicCache

from itune_core.edits import Edit, edits_in_sentences
from itune_core.intentions import INTENTIONS
from itune_core.predictor import IntentionClassifier, prediction_prompt
from itune_core.prefix_cache import common_prefix_length


@dataclass
class IntentionPredictor:
    """A trained classifier with its tokenizer and label list.

    Attributes:
        classifier: the Stage-I model and head, in eval mode.
        tokenizer: the base model's tokenizer.
        labels: the label of each output of the head, in order.
        max_length: prompts are cut to this many tokens (as in training).
        batch_size: pairs scored per forward pass.
    """

    classifier: IntentionClassifier
    tokenizer: object
    labels: tuple[str, ...]
    max_length: int = 512
    batch_size: int = 8
    # The instruction every prompt starts with, up to "### Original:": its token ids and
    # key/value cache (per layer, one row), run once (``_opening_cache``).
    _opening: tuple[tuple[int, ...], list] | None = field(default=None, init=False, repr=False)

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> list[dict[str, float]]:
        """Probability of each label for each (before, after) pair.

        Args:
            pairs: (before, after) texts.

        Returns:
            One ``{label: probability}`` per pair (softmax for single-label predictors,
            independent sigmoids for multi-label ones).
        """
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        encoded = [
            self.tokenizer(prediction_prompt(b, a, self.labels))["input_ids"][: self.max_length]
            for b, a in pairs
        ]
        # Pairs with the same "before" (the edits of one sentence) share the prompt up to
        # the revised text: that prefix is run once (IntentionClassifier.predict_proba_shared).
        # Pairs alone with their "before" (one edit each, from one revision or several
        # labelled together) share only the instruction, whose cache is kept: they go in
        # chunks of similar length, each one pass over the rest of its prompts.
        groups: dict[str, list[int]] = {}
        for k, (before, _) in enumerate(pairs):
            groups.setdefault(before, []).append(k)
        chunks = []  # (pair indices, whether they share their sentence)
        for members in groups.values():
            if len(members) > 1:
                for i in range(0, len(members), self.batch_size):
                    chunks.append((members[i : i + self.batch_size], True))
        alone = sorted(
            (m[0] for m in groups.values() if len(m) == 1), key=lambda k: len(encoded[k])
        )
        for i in range(0, len(alone), self.batch_size):
            chunks.append((alone[i : i + self.batch_size], False))
        probs: dict[int, list[float]] = {}
        for chunk, one_sentence in chunks:
            rows = [encoded[k] for k in chunk]
            shared = _common_prefix(rows)
            cache = self._opening_cache(rows[0][:shared]) if shared else None
            if cache is not None and not one_sentence:
                # not the few tokens different sentences may share beyond the instruction:
                # they would cost a pass of their own
                shared = cache.get_seq_length()
            if shared:
                found = self.classifier.predict_proba_shared(
                    rows[0][:shared], [ids[shared:] for ids in rows], pad, cache=cache
                )
            else:
                found = self._padded_proba(rows, pad)
            for k, row in zip(chunk, found.float().cpu().tolist(), strict=True):
                probs[k] = row
        return [dict(zip(self.labels, probs[k], strict=True)) for k in range(len(pairs))]

    def _opening_cache(self, prefix: Sequence[int]) -> DynamicCache | None:
        """The key/value cache of the instruction that starts ``prefix`` (every prompt's
        first 40-odd tokens, about half of a sentence's), computed the first time and
        reused, so each prompt runs only its texts; None when ``prefix`` does not start with
        it. The classifier's weights must not change meanwhile (they do not at run time)."""
        if self._opening is None:
            a, b = (
                self.tokenizer(prediction_prompt(text, text, self.labels))["input_ids"]
                for text in ("a", "b")
            )
            ids = tuple(a[: common_prefix_length([a, b])])
            cache = self.classifier.prefix_cache(ids)
            self._opening = ids, [(layer.keys, layer.values) for layer in cache.layers]
        ids, layers = self._opening
        if not ids or tuple(prefix[: len(ids)]) != ids:
            return None
        return DynamicCache(ddp_cache_data=layers)

    def _padded_proba(self, rows: Sequence[Sequence[int]], pad: int) -> torch.Tensor:
        """``predict_proba`` of prompts padded on the right (nothing shared)."""
        width = max(len(ids) for ids in rows)
        input_ids = torch.full((len(rows), width), pad, dtype=torch.long)  # (B, T)
        mask = torch.zeros((len(rows), width), dtype=torch.long)  # (B, T)
        for row, ids in enumerate(rows):
            input_ids[row, : len(ids)] = torch.tensor(list(ids))
            mask[row, : len(ids)] = 1
        device = next(self.classifier.parameters()).device
        with torch.inference_mode():
            return self.classifier.predict_proba(input_ids.to(device), mask.to(device))

    def label_edits(
        self,
        source: str,
        revised: str,
        edits: Sequence[Edit],
        among: Sequence[str] = INTENTIONS,
    ) -> list[Edit]:
        """The edits, each labelled with the most likely of the intentions ``among`` (those
        the writer asked for) and its probability among them: for a single-label
        predictor the probabilities of ``among`` are scaled to sum to 1, so the confidence
        says how sure the predictor is which of the asked intentions an edit serves.

        Labels outside ``among`` and the app's intentions (a predictor trained on other
        data) are ignored; an edit none of whose labels is among them keeps its label.
        """
        return self.label_many([(source, revised, edits, among)])[0]

    def label_many(
        self, revisions: Sequence[tuple[str, str, Sequence[Edit], Sequence[str]]]
    ) -> list[list[Edit]]:
        """``label_edits`` of each ``(source, revised, edits, among)``, every edit of them
        all scored together (``probabilities``): the revisions of several writers take one
        pass of the predictor, not one each."""
        pairs = [pair for job in revisions for pair in self.edit_pairs(job[0], job[2])]
        probs = iter(self.probabilities(pairs) if pairs else [])  # one per edit, in order
        scaled = not self.classifier.multi_label  # sigmoids are each their own yes or no
        out = []
        for _, _, edits, among in revisions:
            wanted = set(among) & set(INTENTIONS)
            labelled = []
            for edit in edits:
                known = {k: v for k, v in next(probs).items() if k in wanted}
                if not known:
                    labelled.append(edit)
                    continue
                best = max(known, key=known.get)
                total = sum(known.values()) if scaled else 1.0
                confidence = known[best] / total if total > 0 else known[best]
                labelled.append(replace(edit, intention=best, confidence=round(confidence, 4)))
            out.append(labelled)
        return out

    def edit_probabilities(self, source: str, edits: Sequence[Edit]) -> list[dict[str, float]]:
        """Each edit's label probabilities (``edit_pairs``)."""
        pairs = self.edit_pairs(source, edits)
        return self.probabilities(pairs) if pairs else []

    @staticmethod
    def edit_pairs(source: str, edits: Sequence[Edit]) -> list[tuple[str, str]]:
        """Each edit as the predictor reads it, as IteraTeR's sentence-level data shows
        edits: the sentence(s) around it before, and the same with only it applied."""
        return edits_in_sentences(source, edits)

    def __call__(
        self, source: str, revised: str, edits: list[Edit], among: Sequence[str] = INTENTIONS
    ) -> list[Edit]:
        """The reviser's labeller hook: ``label_edits``."""
        return self.label_edits(source, revised, edits, among)


def _common_prefix(rows: Sequence[Sequence[int]]) -> int:
    """How many leading tokens every row shares, leaving each row at least one of its own
    (the classifier reads the hidden state of each row's last token)."""
    return max(0, min(common_prefix_length(rows), min(map(len, rows)) - 1))


def suggest_intentions(
    labelled_edits: Sequence[Edit], threshold: float = 0.0
) -> list[tuple[str, float]]:
    """Which intentions a draft needs, from the predictor's labels of a trial revision.

    Args:
        labelled_edits: the edits of a revision made for every intention, labelled by
            ``IntentionPredictor.label_edits``.
        threshold: leave out intentions whose confidence is below this.

    Returns:
        (intention, confidence) pairs, most confident first; confidence is the highest
        probability among the edits labelled with that intention.
    """
    best: dict[str, float] = {}
    for edit in labelled_edits:
        if edit.intention in INTENTIONS and edit.confidence is not None:
            best[edit.intention] = max(best.get(edit.intention, 0.0), edit.confidence)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1], INTENTIONS.index(kv[0])))
    return [(name, conf) for name, conf in ranked if conf >= threshold]
