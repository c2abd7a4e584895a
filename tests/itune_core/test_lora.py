"""PEFT configs per block, the parameters P_l, freezing and gradient norms."""

import math

import pytest
import torch
from peft.tuners.lora import LoraLayer

from itune_core.lora import (
    block_adapter_params,
    layer_grad_norms,
    lora_config,
    num_blocks,
    set_trainable_blocks,
)
from itune_core.predictor import IntentionClassifier

TARGETS = ["q_proj", "k_proj", "v_proj", "up_proj", "down_proj"]


def test_lora_config_restricts_to_sorted_layers():
    config = lora_config(layers=[3, 1])
    assert config.layers_to_transform == [1, 3]
    assert config.layers_pattern == "layers"
    assert sorted(config.target_modules) == sorted(TARGETS)
    assert (config.r, config.lora_alpha, config.lora_dropout) == (8, 16, 0.05)


def test_lora_config_without_layers_covers_every_block():
    assert lora_config().layers_to_transform is None


def test_lora_config_rejects_empty_layers():
    # PEFT reads layers_to_transform=[] as "every block", the opposite of what was asked.
    with pytest.raises(ValueError, match="non-empty"):
        lora_config(layers=[])


def test_num_blocks_through_wrappers(make_base_model, make_lora_model):
    model = make_lora_model()
    assert num_blocks(make_base_model()) == 4
    assert num_blocks(model) == 4
    assert num_blocks(IntentionClassifier(model, 3)) == 4


def test_block_adapter_params_groups_a_and_b_per_block(make_lora_model):
    params = block_adapter_params(make_lora_model())
    assert list(params) == [0, 1, 2, 3]
    assert all(len(block) == 2 * len(TARGETS) for block in params.values())


def test_adapters_only_on_chosen_blocks(make_lora_model):
    model = make_lora_model(layers=[1, 3])
    assert list(block_adapter_params(model)) == [1, 3]
    adapted = {
        int(name.split("layers.")[1].split(".")[0])
        for name, module in model.named_modules()
        if isinstance(module, LoraLayer)
    }
    assert adapted == {1, 3}


def test_dora_config_adds_magnitude_vectors(make_lora_model):
    model = make_lora_model(use_dora=True)
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    assert any("lora_magnitude_vector" in n for n in names)
    # Magnitudes belong to P_l, so dynamic freezing also freezes them.
    assert all(len(block) == 3 * len(TARGETS) for block in block_adapter_params(model).values())


def test_set_trainable_blocks_freezes_other_blocks_only(make_lora_model):
    classifier = IntentionClassifier(make_lora_model(), 3)
    set_trainable_blocks(classifier, [0, 2])
    params = block_adapter_params(classifier)
    assert all(p.requires_grad for b in (0, 2) for p in params[b])
    assert not any(p.requires_grad for b in (1, 3) for p in params[b])
    assert classifier.head.weight.requires_grad
    base = [p for n, p in classifier.named_parameters() if "lora_" not in n and "head" not in n]
    assert not any(p.requires_grad for p in base)


def test_set_trainable_blocks_rejects_unadapted_block(make_lora_model):
    with pytest.raises(ValueError, match=r"blocks \[0\] have no adapters"):
        set_trainable_blocks(make_lora_model(layers=[1, 3]), [0, 1])


def test_layer_grad_norms_is_plain_l2_over_the_block(make_lora_model):
    params = block_adapter_params(make_lora_model())
    for value, block in ((1.0, 0), (2.0, 2)):
        for p in params[block]:
            p.grad = torch.full_like(p, value)
    sizes = {b: sum(p.numel() for p in params[b]) for b in (0, 2)}
    norms = layer_grad_norms(params, [2, 0])
    assert norms[0] == pytest.approx(math.sqrt(sizes[0]))
    assert norms[2] == pytest.approx(2.0 * math.sqrt(sizes[2]))


def test_layer_grad_norms_reference_variant(make_lora_model):
    params = block_adapter_params(make_lora_model())
    for p in params[1]:
        p.grad = torch.full_like(p, 1.0)
    expected = math.sqrt(sum(math.sqrt(math.sqrt(p.numel())) for p in params[1]))
    assert layer_grad_norms(params, [1], norm="reference")[1] == pytest.approx(expected)


def test_layer_grad_norms_without_gradients_raises(make_lora_model):
    params = block_adapter_params(make_lora_model())
    with pytest.raises(ValueError, match="no gradients"):
        layer_grad_norms(params, [0])
