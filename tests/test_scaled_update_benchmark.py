"""benchmarks/scaled_update.py: a scaled copy multiplies the adapter's lora_B tensors by
alpha and nothing else, leaves the step records out, and is made once."""

import torch
from safetensors.torch import load_file, save_file

from benchmarks.scaled_update import scaled_copy


def test_a_scaled_copy_scales_lora_b_only(tmp_path):
    adapter = tmp_path / "adapter"
    (adapter / "step1").mkdir(parents=True)
    (adapter / "adapter_config.json").write_text("{}")
    weights = {
        "base.layers.0.q_proj.lora_A.weight": torch.ones(2, 3),
        "base.layers.0.q_proj.lora_B.weight": torch.full((3, 2), 2.0),
    }
    save_file(weights, adapter / "adapter_model.safetensors")
    copy = scaled_copy(adapter, 1.5, tmp_path / "a1.5")
    found = load_file(copy / "adapter_model.safetensors")
    assert torch.equal(found["base.layers.0.q_proj.lora_A.weight"], torch.ones(2, 3))
    assert torch.equal(found["base.layers.0.q_proj.lora_B.weight"], torch.full((3, 2), 3.0))
    assert (copy / "adapter_config.json").is_file() and not (copy / "step1").exists()
    # made once: a second call leaves it as it is
    assert scaled_copy(adapter, 9.0, copy) == copy
    again = load_file(copy / "adapter_model.safetensors")
    assert torch.equal(again["base.layers.0.q_proj.lora_B.weight"], torch.full((3, 2), 3.0))
