"""Adapters attached for revising: per-call selection, no cross-talk, clear load errors."""

import copy

import pytest
import torch
from peft import LoraConfig, get_peft_model
from transformers import LlamaConfig, LlamaForCausalLM

from itune_core.adapters import (
    BASE,
    attach_adapter,
    check_adapter_dir,
    generate_kwargs,
    sole_adapter,
)
from itune_core.errors import ModelLoadError


def tiny_model():
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=64,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
    )
    return LlamaForCausalLM(config).eval()


def save_random_adapter(base, folder, seed):
    torch.manual_seed(seed)
    config = LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    peft_model = get_peft_model(copy.deepcopy(base), config)
    peft_model.save_pretrained(folder)
    return peft_model.eval()


@pytest.fixture
def two_adapters(tmp_path):
    base = tiny_model()
    a = save_random_adapter(base, tmp_path / "a", seed=1)
    b = save_random_adapter(base, tmp_path / "b", seed=2)
    return base, a, b, tmp_path


def logits(model, **kwargs):
    ids = torch.tensor([[1, 5, 9, 12, 3]])
    with torch.no_grad():
        return model(input_ids=ids, **kwargs).logits


def test_each_call_uses_the_adapter_it_names(two_adapters):
    base, a, b, folder = two_adapters
    expected = {"a": logits(a), "b": logits(b), None: logits(base)}
    shared = attach_adapter(copy.deepcopy(base), folder / "a", "a")
    shared = attach_adapter(shared, folder / "b", "b")
    for name in ("b", None, "a", "b"):
        got = logits(shared, **generate_kwargs(shared, name))
        assert torch.allclose(got, expected[name], atol=1e-5), name


def test_the_sole_adapter_is_the_one_a_call_without_names_applies(two_adapters):
    base, a, _, folder = two_adapters
    assert sole_adapter(base) is None  # a plain model
    one = attach_adapter(copy.deepcopy(base), folder / "a", "a")
    assert sole_adapter(one) == "a"
    assert torch.allclose(logits(one), logits(one, adapter_names=["a"]), atol=1e-5)
    assert torch.allclose(logits(one), logits(a), atol=1e-5)
    assert sole_adapter(attach_adapter(one, folder / "b", "b")) is None  # two: name each row


def test_the_two_adapters_really_differ(two_adapters):
    _, a, b, _ = two_adapters
    assert not torch.allclose(logits(a), logits(b))


def test_generate_accepts_the_per_call_adapter(two_adapters):
    base, _, _, folder = two_adapters
    shared = attach_adapter(copy.deepcopy(base), folder / "a", "a")
    ids = torch.tensor([[1, 5, 9]])
    out = shared.generate(
        input_ids=ids, max_new_tokens=3, do_sample=False, **generate_kwargs(shared, "a")
    )
    assert out.shape == (1, 6)


def test_a_missing_adapter_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ModelLoadError, match="does not exist"):
        check_adapter_dir(tmp_path / "nope")


def test_a_folder_without_weights_is_a_clear_error(two_adapters):
    _, _, _, folder = two_adapters
    (folder / "a" / "adapter_model.safetensors").unlink()
    with pytest.raises(ModelLoadError, match=r"lacks adapter_model\.safetensors"):
        attach_adapter(tiny_model(), folder / "a", "a")


def test_corrupt_weights_are_a_clear_error_and_leave_the_model_plain(two_adapters):
    _, _, _, folder = two_adapters
    (folder / "a" / "adapter_model.safetensors").write_bytes(b"not a safetensors file")
    model = tiny_model()
    with pytest.raises(ModelLoadError, match="not a readable safetensors file"):
        attach_adapter(model, folder / "a", "a")
    assert not any("lora" in name for name, _ in model.named_modules())


def test_a_corrupt_config_is_a_clear_error(two_adapters):
    _, _, _, folder = two_adapters
    (folder / "b" / "adapter_config.json").write_text("{not json")
    with pytest.raises(ModelLoadError, match="not valid JSON"):
        check_adapter_dir(folder / "b")


def test_asking_for_an_adapter_that_is_not_attached_is_an_error(two_adapters):
    base, _, _, folder = two_adapters
    shared = attach_adapter(copy.deepcopy(base), folder / "a", "a")
    with pytest.raises(ModelLoadError, match="'zzz' is not attached"):
        generate_kwargs(shared, "zzz")
    with pytest.raises(ModelLoadError, match="has none"):
        generate_kwargs(tiny_model(), "a")
    assert generate_kwargs(shared, None) == {"adapter_names": [BASE]}
