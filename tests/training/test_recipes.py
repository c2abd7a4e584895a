"""The recipe's pieces: the Stage-II loss and step, the frozen-prefix shortcut, the batch
schedule, the staging folder and the config."""

import math
from pathlib import Path

import pytest
import torch
from peft import get_peft_model
from transformers import LlamaConfig, LlamaForCausalLM

from itune_core.lora import block_adapter_params, lora_config
from itune_core.method_config import MethodConfig
from training.batching import IGNORE_INDEX
from training.config import TrainConfig, parse_override, set_dotted
from training.data import RevisionExample
from training.loop import adapter_parameters, batch_schedule, build_optimizer, stage_steps
from training.outputs import StagingDir, check_output, examples_sha256
from training.stage2 import GenerationLoss, generation_step, no_grad_below

TINY = {
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vocab_size": 128,
}


def _model(layers=None, seed=0):
    torch.manual_seed(seed)
    base = LlamaForCausalLM(LlamaConfig(**TINY))
    model = get_peft_model(base, lora_config(layers=layers, dropout=0.0))
    with torch.no_grad():  # PEFT starts B at zero; random B gives every tensor a gradient
        for name, param in model.named_parameters():
            if ".lora_B." in name:
                param.normal_(0, 0.1)
    return model


def _batch():
    generator = torch.Generator().manual_seed(1)
    ids = torch.randint(1, 128, (3, 7), generator=generator)
    mask = torch.ones_like(ids)
    mask[2, 5:] = 0
    labels = ids.clone()
    labels[:, :3] = IGNORE_INDEX  # the prompt
    labels[mask == 0] = IGNORE_INDEX
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def _grads(model):
    return {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}


# --- the Stage-II loss and step -------------------------------------------------------------


def test_generation_loss_equals_the_models_own_loss():
    model, batch = _model(), _batch()
    expected = model(**batch).loss
    assert torch.allclose(GenerationLoss(model)(**batch).loss, expected, atol=1e-6)


def test_generation_loss_gives_the_models_own_gradients():
    model, batch = _model(), _batch()
    model(**batch).loss.backward()
    expected = _grads(model)
    model.zero_grad(set_to_none=True)
    GenerationLoss(model)(**batch).loss.backward()
    got = _grads(model)
    assert got.keys() == expected.keys()
    assert all(torch.allclose(got[n], expected[n], atol=1e-6) for n in got)


def test_no_grad_below_gives_the_same_loss_and_gradients():
    model, batch = _model(layers=[2, 3]), _batch()
    loss_module = GenerationLoss(model)
    plain = loss_module(**batch).loss
    plain.backward()
    expected = _grads(model)
    model.zero_grad(set_to_none=True)
    with no_grad_below(model, 2):
        shortcut = loss_module(**batch).loss
    shortcut.backward()
    assert torch.equal(shortcut, plain)
    got = _grads(model)
    assert got.keys() == expected.keys() and got
    assert all(torch.equal(got[n], expected[n]) for n in got)


def test_no_grad_below_builds_no_graph_in_the_frozen_blocks_and_then_restores_them():
    model, batch = _model(layers=[2, 3]), _batch()
    layers = model.get_base_model().model.layers
    seen = {}

    def record(index):
        def hook(module, args, output):
            hidden = output[0] if isinstance(output, tuple) else output
            seen[index] = hidden.requires_grad

        return hook

    handles = [layer.register_forward_hook(record(i)) for i, layer in enumerate(layers)]
    # Input embeddings that require grad (as for gradient checkpointing) would otherwise
    # drag autograd through the frozen bottom blocks.
    model.get_base_model().model.embed_tokens.weight.requires_grad_(True)
    with no_grad_below(model, 2):
        GenerationLoss(model)(**batch).loss.backward()
    assert [seen[i] for i in range(4)] == [False, False, True, True]
    assert all("forward" not in layer.__dict__ for layer in layers)
    GenerationLoss(model)(**batch)  # restored: the plain forward builds the graph again
    assert [seen[i] for i in range(4)] == [True, True, True, True]
    for handle in handles:
        handle.remove()


def test_generation_step_trains_the_adapters_and_measures_each_blocks_norm():
    model, batch = _model(layers=[1, 3]), _batch()
    params = block_adapter_params(model)
    before = [p.detach().clone() for p in adapter_parameters(model)]
    optimizer, _ = build_optimizer(adapter_parameters(model), 1e-2, 0.0, 0)
    timings = {}
    loss, norms = generation_step(
        GenerationLoss(model), optimizer, batch, [1, 3], params, timings=timings
    )
    assert math.isfinite(loss) and loss > 0
    assert set(norms) == {1, 3} and all(v > 0 for v in norms.values())
    assert set(timings) == {"forward", "backward", "optimizer"}
    after = adapter_parameters(model)
    assert all(not torch.equal(a, b) for a, b in zip(after, before, strict=True))


def test_generation_step_lowers_the_loss_on_a_fixed_batch():
    model, batch = _model(layers=[2, 3]), _batch()
    params = block_adapter_params(model)
    optimizer, _ = build_optimizer(adapter_parameters(model), 1e-2, 0.0, 0)
    losses = [
        generation_step(GenerationLoss(model), optimizer, batch, [2, 3], params)[0]
        for _ in range(10)
    ]
    assert losses[-1] < losses[0] - 0.2


def test_generation_step_refuses_a_batch_without_targets():
    model, batch = _model(), _batch()
    batch["labels"][:] = IGNORE_INDEX
    optimizer, _ = build_optimizer(adapter_parameters(model), 1e-2, 0.0, 0)
    with pytest.raises(ValueError, match="no target token"):
        generation_step(GenerationLoss(model), optimizer, batch, [0], block_adapter_params(model))


# --- batches and budgets -------------------------------------------------------------------


def test_each_epoch_of_the_schedule_covers_every_example_once():
    lengths = [5, 3, 9, 1, 7, 2, 8]
    schedule = batch_schedule(lengths, 3, seed=0)
    for _ in range(3):  # three epochs, 3 batches each
        seen = [i for _ in range(3) for i in next(schedule)]
        assert sorted(seen) == list(range(7))


def test_processes_split_the_global_batch_one_process_would_train_on():
    lengths = [5, 3, 9, 1, 7, 2, 8, 4, 6, 10]
    alone = batch_schedule(lengths, 4, seed=0)
    first = batch_schedule(lengths, 2, seed=0, rank=0, world_size=2)
    second = batch_schedule(lengths, 2, seed=0, rank=1, world_size=2)
    for _ in range(6):  # two epochs of three global batches (the last one topped up)
        whole, a, b = next(alone), next(first), next(second)
        assert len(a) == len(b) == 2
        if len(whole) == 4:
            assert a + b == whole
        else:  # the epoch's short last batch: repeats fill both slices
            assert set(a + b) == set(whole)


def test_stage_steps_use_the_step_budget_or_whole_epochs():
    assert stage_steps(10, 4, epochs=2, steps=None) == 6
    assert stage_steps(10, 4, epochs=2, steps=7) == 7


# --- output folder -------------------------------------------------------------------------


def test_a_staging_folder_disappears_when_the_run_fails(tmp_path):
    out = tmp_path / "run"
    with pytest.raises(RuntimeError), StagingDir(out) as staging:
        (staging.path / "half.bin").write_bytes(b"x")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_publishing_replaces_a_finished_run_whole(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "metrics.json").write_text("{}")
    (out / "old.txt").write_text("old")
    with StagingDir(out) as staging:
        (staging.path / "metrics.json").write_text('{"new": 1}')
        staging.publish()
    assert sorted(p.name for p in out.iterdir()) == ["metrics.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_an_unfinished_folder_is_never_replaced(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="not a finished training run"):
        check_output(out, overwrite=True)
    with pytest.raises(ValueError, match="--overwrite"):
        check_output(out, overwrite=False)
    check_output(tmp_path / "new" / "run", overwrite=False)  # parents are created


def test_the_data_hash_changes_with_any_field():
    a = RevisionExample("A b .", "A b.", ("fluency",), "x")
    b = RevisionExample("A b .", "A b.", ("clarity",), "x")
    assert examples_sha256([a]) != examples_sha256([b])
    assert examples_sha256([a]) == examples_sha256(
        [RevisionExample("A b .", "A b.", ("fluency",), "y")]
    )


# --- config --------------------------------------------------------------------------------


def test_config_defaults_are_the_documented_decisions():
    config = TrainConfig(method="intention-tuning", data="iterater-sent", output="out")
    assert config.method_config == MethodConfig()
    assert config.to_dict()["method_config"]["first_step"] == "all"
    assert TrainConfig.from_dict(config.to_dict()) == config


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"method": "full"}, "method must be one of"),
        ({"batch_size": 0}, "batch_size must be a positive integer"),
        ({"mixed_precision": "fp16"}, "mixed_precision must be one of"),
        ({"max_steps": 2.5}, "max_steps must be a positive integer"),
        ({"method_config": {"norm": "l1"}}, "norm must be one of"),
        ({"method_config": {"lora": {"rank": 4}}}, "unknown LoraSettings keys: rank"),
        ({"output": ""}, "output must be a non-empty string"),
    ],
)
def test_bad_config_values_name_the_field(changes, message):
    data = {"method": "lora", "data": "iterater-sent", "output": "out", **changes}
    with pytest.raises(ValueError, match=message):
        TrainConfig.from_dict(data)


def test_a_config_without_output_says_what_is_missing():
    with pytest.raises(ValueError, match="lacks output"):
        TrainConfig.from_dict({"method": "lora", "data": "iterater-sent"})


def test_overrides_keep_yaml_types_and_nest():
    data = {}
    set_dotted(data, *parse_override("method_config.lora.r=16"))
    set_dotted(data, *parse_override("max_grad_norm=null"))
    set_dotted(data, *parse_override("method_config.sgen_fixed=false"))
    assert data == {
        "method_config": {"lora": {"r": 16}, "sgen_fixed": False},
        "max_grad_norm": None,
    }
    with pytest.raises(ValueError, match="KEY=VALUE"):
        parse_override("lr")


def test_the_shipped_configs_are_valid(tmp_path):
    from training.config import read_yaml

    folder = Path(__file__).resolve().parents[2] / "training" / "configs"
    files = sorted(folder.glob("*.yaml"))
    assert files
    for path in files:
        config = TrainConfig.from_dict(read_yaml(path))
        assert f"--config training/configs/{path.name}" in path.read_text()
        assert config.method in path.name


# --- weighting the edited tokens (--edit-weight) --------------------------------------------


def test_unit_weights_give_the_plain_loss_and_others_the_weighted_mean():
    model, batch = _model(), _batch()
    plain = GenerationLoss(model)(**batch).loss
    ones = GenerationLoss(model)(**batch, weights=torch.ones(3, 7)).loss
    assert torch.allclose(ones, plain, atol=1e-6)
    # By hand: each target token's cross-entropy, weighted.
    weights = torch.ones(3, 7)
    weights[0, 4] = weights[1, 6] = 5.0
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    targets, keep = batch["labels"][:, 1:], batch["labels"][:, 1:] != IGNORE_INDEX
    each = torch.nn.functional.cross_entropy(logits[:, :-1][keep], targets[keep], reduction="none")
    w = weights[:, 1:][keep]
    expected = (each * w).sum() / w.sum()
    got = GenerationLoss(model)(**batch, weights=weights).loss
    assert torch.allclose(got, expected, atol=1e-5) and not torch.allclose(got, plain, atol=1e-4)


def test_a_weighted_batch_trains_through_the_generation_step():
    model, batch = _model(), _batch()
    batch["weights"] = torch.ones(3, 7)
    batch["weights"][0, 5] = 4.0
    params = block_adapter_params(model)
    optimizer, _ = build_optimizer(adapter_parameters(model), 1e-2, 0.0, 0)
    before = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    loss, norms = generation_step(GenerationLoss(model), optimizer, batch, [0, 1], params)
    assert math.isfinite(loss) and set(norms) == {0, 1}
    moved = [
        n for n, p in model.named_parameters() if n in before and not torch.equal(p, before[n])
    ]
    assert moved, "the weighted loss trained the adapters"
