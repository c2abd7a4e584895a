"""Stage-I and IR-Tuning-gen steps: only S_t changes, norms and G are recorded."""

import pytest
import torch

from itune_core.lora import block_adapter_params
from itune_core.predictor import IntentionClassifier
from itune_core.selection import SelectionTracker
from itune_core.stages import dynamic_generation_step, stage1_step


def _checksums(model):
    return {b: [p.detach().clone() for p in ps] for b, ps in block_adapter_params(model).items()}


def _changed_blocks(model, before):
    params = block_adapter_params(model)
    return {
        b
        for b, ps in params.items()
        if any(not torch.equal(p, old) for p, old in zip(ps, before[b], strict=True))
    }


def _optimizer(module, lr=1e-2):
    # Built once over every adapter parameter (and the head), as the method asks.
    params = [p for n, p in module.named_parameters() if ".lora_" in n or n.startswith("head")]
    return torch.optim.AdamW(params, lr=lr)


def _classifier_setup(make_lora_model, token_batch, *, multi_label=False):
    classifier = IntentionClassifier(make_lora_model(), 3, multi_label=multi_label)
    if multi_label:
        labels = torch.tensor([[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]], dtype=torch.float32)
    else:
        labels = torch.tensor([0, 2, 1, 2])
    return classifier, _optimizer(classifier), {**token_batch, "labels": labels}


def test_stage1_step_changes_only_selected_blocks(make_lora_model, token_batch):
    classifier, optimizer, batch = _classifier_setup(make_lora_model, token_batch)
    tracker = SelectionTracker(4)
    first = stage1_step(classifier, optimizer, batch, tracker)
    assert first.selected == (0, 1, 2, 3)
    before = _checksums(classifier)
    second = stage1_step(classifier, optimizer, batch, tracker)
    assert 0 < len(second.selected) < 4
    assert _changed_blocks(classifier, before) == set(second.selected)


def test_stage1_step_trains_the_head(make_lora_model, token_batch):
    classifier, optimizer, batch = _classifier_setup(make_lora_model, token_batch)
    head = classifier.head.weight.detach().clone()
    stage1_step(classifier, optimizer, batch, SelectionTracker(4))
    assert not torch.equal(classifier.head.weight, head)


def test_stage1_steps_record_norms_and_frequency(make_lora_model, token_batch):
    classifier, optimizer, batch = _classifier_setup(make_lora_model, token_batch)
    tracker = SelectionTracker(4)
    records = [stage1_step(classifier, optimizer, batch, tracker) for _ in range(3)]
    assert [r.step for r in records] == [1, 2, 3]
    expected = [sum(b in r.selected for r in records) for b in range(4)]
    assert tracker.counts == expected
    for record in records:
        assert set(record.norms) == set(record.selected)
        assert all(v > 0 for v in record.norms.values())
    assert tracker.history[-1].norms == tuple(tracker.norms)


@pytest.mark.parametrize("multi_label", [False, True])
def test_stage1_loss_decreases_on_a_fixed_batch(make_lora_model, token_batch, multi_label):
    classifier, optimizer, batch = _classifier_setup(
        make_lora_model, token_batch, multi_label=multi_label
    )
    tracker = SelectionTracker(4)
    losses = [stage1_step(classifier, optimizer, batch, tracker).loss for _ in range(8)]
    assert losses[-1] < 0.8 * losses[0]


def test_stage1_rejects_fp16_autocast(make_lora_model, token_batch):
    classifier, optimizer, batch = _classifier_setup(make_lora_model, token_batch)
    with pytest.raises(ValueError, match="bfloat16"):
        stage1_step(classifier, optimizer, batch, SelectionTracker(4), autocast_dtype=torch.float16)


def _generation_batch(token_batch):
    labels = token_batch["input_ids"].clone()
    labels[:, :2] = -100  # the prompt
    labels[token_batch["attention_mask"] == 0] = -100
    return {**token_batch, "labels": labels}


def test_generation_step_uses_masked_lm_loss_and_trains_selected_blocks(
    make_lora_model, token_batch
):
    model = make_lora_model()
    optimizer = _optimizer(model)
    batch = _generation_batch(token_batch)
    tracker = SelectionTracker(4)
    dynamic_generation_step(model, optimizer, batch, tracker)
    with torch.no_grad():
        expected = model(**batch).loss.item()
    before = _checksums(model)
    record = dynamic_generation_step(model, optimizer, batch, tracker)
    assert record.loss == pytest.approx(expected, rel=1e-5)
    assert _changed_blocks(model, before) == set(record.selected)


def test_generation_step_without_targets_raises(make_lora_model, token_batch):
    model = make_lora_model()
    batch = {**token_batch, "labels": torch.full_like(token_batch["input_ids"], -100)}
    with pytest.raises(ValueError, match="no target token"):
        dynamic_generation_step(model, _optimizer(model), batch, SelectionTracker(4))


def test_stage1_step_under_bf16_autocast_keeps_float32_norms(make_lora_model, token_batch):
    classifier, optimizer, batch = _classifier_setup(make_lora_model, token_batch)
    record = stage1_step(
        classifier, optimizer, batch, SelectionTracker(4), autocast_dtype=torch.bfloat16
    )
    assert record.selected == (0, 1, 2, 3)
    assert all(0 < v < float("inf") for v in record.norms.values())
