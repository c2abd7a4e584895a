"""Intention prediction (Stage I): the prompt and a linear head on the last real token.

The head reads the final hidden state of the last token whose attention-mask entry is 1,
so left and right padding both work and no pad-token search is needed. Single-label
data uses softmax + cross-entropy, multi-label data sigmoid + BCE with threshold 0.5.
"""

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from peft import PeftModel
from torch import nn
from transformers import DynamicCache

from itune_core.prefix_cache import shared_prefix_forward


def prediction_prompt(before: str, after: str, labels: Sequence[str]) -> str:
    """The Stage-I prompt of docs/method.md (IR-Tuning's wording, no stray indentation).

    Args:
        before: the original text.
        after: the revised text.
        labels: the possible intentions, listed in this order, separated by ", ".

    Returns:
        The prompt text.

    Raises:
        ValueError: no labels.
    """
    if not labels:
        raise ValueError("prediction_prompt needs at least one label")
    return (
        "### Instruction: Identify the intention of the revision between the original text "
        "and the revised text. The possible intentions are: "
        f"{', '.join(labels)}.\n### Original: {before}\n### Revised: {after}"
    )


def last_token_index(attention_mask: torch.Tensor) -> torch.Tensor:
    """Position of the last real token (mask == 1) in each row.

    Args:
        attention_mask: (batch, seq) of 0/1.

    Returns:
        (batch,) long tensor of positions.

    Raises:
        ValueError: a row without any real token.
    """
    if attention_mask.dim() != 2:
        raise ValueError(f"attention_mask must be (batch, seq), got {tuple(attention_mask.shape)}")
    real = attention_mask != 0
    if not bool(real.any(dim=1).all()):
        raise ValueError("every row of attention_mask needs at least one real token")
    positions = torch.arange(attention_mask.shape[1], device=attention_mask.device)
    # Padding positions become -1, so the maximum is the last real position: (batch,)
    return torch.where(real, positions, -1).amax(dim=1)


class IntentionClassifier(nn.Module):
    """A (PEFT) causal LM with a linear intention head on the last real token.

    Only the decoder stack is run, not the LM head: the classifier needs no vocabulary
    logits, which for SmolLM2 (49k tokens) would be the largest activation of the step.

    Args:
        model: a causal LM or a ``PeftModel`` around one.
        num_labels: number of intentions.
        multi_label: sigmoid + BCE (several intents per example) instead of softmax + CE.
        train_head: whether the head is trainable ([decision]: yes; IR-Tuning's code
            left it frozen by accident).
        threshold: multi-label decision threshold on the sigmoid.
        adapter_name: the adapter of ``model`` (a PeftModel holding several predictors'
            adapters over one base model) that this classifier activates before each
            forward pass; None: whatever is active. Callers sharing a model must not run
            two classifiers at once.

    Raises:
        ValueError: ``num_labels`` < 2 for single-label or < 1 for multi-label data.
    """

    def __init__(
        self,
        model: nn.Module,
        num_labels: int,
        *,
        multi_label: bool = False,
        train_head: bool = True,
        threshold: float = 0.5,
        adapter_name: str | None = None,
    ) -> None:
        super().__init__()
        self.adapter_name = adapter_name
        if num_labels < (1 if multi_label else 2):
            raise ValueError(f"num_labels too small for this task, got {num_labels}")
        self.model = model
        self.multi_label = multi_label
        self.threshold = threshold
        hidden = self._base().config.hidden_size
        reference = next(model.parameters())
        # The head follows the model's device; it stays float32 for a stable softmax/BCE.
        self.head = nn.Linear(hidden, num_labels, device=reference.device, dtype=torch.float32)
        self.head.requires_grad_(train_head)

    def _activated(self) -> nn.Module:
        """The base model, with this classifier's adapter made the active one."""
        model = self.model
        named = self.adapter_name is not None and isinstance(model, PeftModel)
        if named and model.active_adapter != self.adapter_name:
            model.set_adapter(self.adapter_name)
        return self._base()

    def _base(self) -> nn.Module:
        model = self.model
        return model.get_base_model() if isinstance(model, PeftModel) else model

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        labels: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Logits for each example, and the loss when labels are given.

        Args:
            input_ids: (batch, seq) token ids.
            attention_mask: (batch, seq) of 0/1; padding on either side.
            labels: (batch,) class indices for single-label data, or (batch, num_labels)
                0/1 targets for multi-label data.

        Returns:
            (logits (batch, num_labels) float32, loss or None).

        Raises:
            ValueError: labels of the wrong shape for the task.
        """
        # Looked up per call, not stored: a second reference would register the decoder
        # twice and duplicate every key of the state dict.
        decoder = self._activated().get_decoder()
        out = decoder(input_ids=input_ids, attention_mask=attention_mask, use_cache=False)
        hidden = out.last_hidden_state  # (batch, seq, hidden)
        index = last_token_index(attention_mask)
        pooled = hidden[
            torch.arange(hidden.shape[0], device=hidden.device), index
        ]  # (batch, hidden)
        logits = self.head(pooled.to(self.head.weight.dtype)).float()
        if labels is None:
            return logits, None
        return logits, self._loss(logits, labels)

    def _loss(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        if self.multi_label:
            if labels.shape != logits.shape:
                raise ValueError(
                    f"multi-label targets must be (batch, num_labels) = {tuple(logits.shape)}, "
                    f"got {tuple(labels.shape)}"
                )
            return F.binary_cross_entropy_with_logits(logits, labels.to(logits.dtype))
        if labels.shape != logits.shape[:1]:
            raise ValueError(
                f"single-label targets must be (batch,) = {tuple(logits.shape[:1])}, "
                f"got {tuple(labels.shape)}"
            )
        return F.cross_entropy(logits, labels.long())

    @torch.no_grad()
    def predict_proba(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Class probabilities: softmax (single-label) or per-label sigmoid (multi-label).

        Args:
            input_ids: (batch, seq) token ids.
            attention_mask: (batch, seq) of 0/1.

        Returns:
            (batch, num_labels) float32 probabilities.
        """
        logits, _ = self(input_ids, attention_mask)
        return torch.sigmoid(logits) if self.multi_label else torch.softmax(logits, dim=-1)

    @torch.no_grad()
    def prefix_cache(self, ids: Sequence[int], cache: DynamicCache | None = None) -> DynamicCache:
        """The key/value cache of the tokens ``ids`` (one row), run after ``cache`` (which
        is extended in place) or from the start."""
        decoder = self._activated().get_decoder()
        device = next(self.parameters()).device
        cache = cache if cache is not None else DynamicCache()
        if ids:
            decoder(
                input_ids=torch.tensor([list(ids)], device=device),
                past_key_values=cache,
                use_cache=True,
            )
        return cache

    @torch.no_grad()
    def predict_proba_shared(
        self,
        prefix: Sequence[int],
        suffixes: Sequence[Sequence[int]],
        pad_id: int = 0,
        cache: DynamicCache | None = None,
    ) -> torch.Tensor:
        """``predict_proba`` of the prompts ``prefix + suffix`` for each suffix, with the
        prefix run once and its key/value cache shared (the pairs of one sentence's edits
        share the instruction and the sentence, and differ in the revised text only).

        Args:
            cache: the key/value cache of the prefix's first tokens (one row), when the
                caller kept it (``IntentionPredictor`` keeps the instruction's); only the
                rest of the prefix runs. It is extended in place.

        Returns:
            (len(suffixes), num_labels) float32 probabilities.
        """
        decoder = self._activated().get_decoder()
        device = next(self.parameters()).device
        if cache is not None:
            self.prefix_cache(prefix[cache.get_seq_length() :], cache)
        _, out, _ = shared_prefix_forward(decoder, prefix, suffixes, pad_id, device, cache=cache)
        n = len(suffixes)
        hidden = out.last_hidden_state  # (n, width, hidden)
        last = torch.tensor([len(s) - 1 for s in suffixes], device=hidden.device)
        pooled = hidden[torch.arange(n, device=hidden.device), last]  # (n, hidden)
        logits = self.head(pooled.to(self.head.weight.dtype)).float()
        return torch.sigmoid(logits) if self.multi_label else torch.softmax(logits, dim=-1)

    def predict(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Predicted intentions.

        Args:
            input_ids: (batch, seq) token ids.
            attention_mask: (batch, seq) of 0/1.

        Returns:
            (batch,) class indices for single-label data; (batch, num_labels) booleans,
            probability >= threshold, for multi-label data.
        """
        proba = self.predict_proba(input_ids, attention_mask)
        return proba >= self.threshold if self.multi_label else proba.argmax(dim=-1)
