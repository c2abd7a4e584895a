"""Shared LoRA weights: exactly the S_gen tensors are copied from Stage I to Stage II."""

import pytest
import torch

from itune_core.lora import named_block_adapter_params
from itune_core.predictor import IntentionClassifier
from itune_core.transfer import transfer_lora

S_GEN = [1, 3]


def _snapshot(model):
    return {name: p.detach().clone() for name, p in model.named_parameters()}


def test_transfer_copies_exactly_the_sgen_weights(make_lora_model):
    stage1 = make_lora_model(seed=0)
    stage2 = make_lora_model(seed=0, random_b=False, layers=S_GEN)
    before = _snapshot(stage2)
    copied = transfer_lora(stage1, stage2, S_GEN)
    assert copied == len(S_GEN) * 5 * 2
    source = named_block_adapter_params(stage1)
    target = named_block_adapter_params(stage2)
    for block in S_GEN:
        src = dict(source[block])
        for name, param in target[block]:
            assert torch.equal(param, src[name]), (block, name)
    # Nothing but the adapters changed (the two base models were built from one seed).
    for name, param in stage2.named_parameters():
        if "lora_" not in name:
            assert torch.equal(param, before[name]), name
    changed = [n for n, p in stage2.named_parameters() if not torch.equal(p, before[n])]
    assert changed and all(".lora_" in n for n in changed)


def test_transfer_from_a_classifier(make_lora_model):
    classifier = IntentionClassifier(make_lora_model(seed=0), 3)
    stage2 = make_lora_model(seed=0, random_b=False, layers=[2])
    assert transfer_lora(classifier, stage2, [2]) == 10
    src = dict(named_block_adapter_params(classifier)[2])
    assert all(torch.equal(p, src[n]) for n, p in named_block_adapter_params(stage2)[2])


def test_transfer_shape_mismatch_raises_and_changes_nothing(make_lora_model):
    stage1 = make_lora_model(r=8)
    stage2 = make_lora_model(r=4, layers=S_GEN)
    before = _snapshot(stage2)
    with pytest.raises(ValueError, match="shape"):
        transfer_lora(stage1, stage2, S_GEN)
    assert all(torch.equal(p, before[n]) for n, p in stage2.named_parameters())


def test_transfer_block_missing_in_stage2_raises(make_lora_model):
    with pytest.raises(ValueError, match=r"blocks \[0\] have no adapters in the Stage-II"):
        transfer_lora(make_lora_model(), make_lora_model(layers=S_GEN), [0, 1])


def test_transfer_other_target_modules_raises(make_lora_model):
    stage2 = make_lora_model(layers=S_GEN, target_modules=["q_proj", "v_proj"])
    with pytest.raises(ValueError, match="without counterpart"):
        transfer_lora(make_lora_model(), stage2, S_GEN)
