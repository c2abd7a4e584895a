"""``init_from``: a run that starts from a parent adapter bundle (tiny 4-block Llama): it
starts at the parent's weights, keeps its S_gen and predictor, records the parent, and
refuses a parent of another method or base model, or a folder that is not a bundle."""

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from itune_core.bundle import AdapterBundle
from training import cli

NUM_BLOCKS = 4


@pytest.fixture(scope="module")
def tiny_model(save_tiny_llama) -> Path:
    return save_tiny_llama(NUM_BLOCKS)


def _train(tiny_model, data, output, *extra: str) -> int:
    argv = ["train", "--data", str(data), "--output", str(output), "--model", str(tiny_model)]
    argv += ["--batch-size", "2", "--max-length", "96", "--max-steps", "2", *extra]
    if "--method" not in extra:
        argv += ["--method", "intention-tuning"]
    return cli.main(argv)


@pytest.fixture(scope="module")
def parents(tiny_model, tmp_path_factory) -> dict[str, Path]:
    """Finished intention-tuning and lora runs (r 4, so a child's default r 8 is overridden)."""
    root = tmp_path_factory.mktemp("parents")
    data = root / "d.jsonl"
    pairs = [
        ("He go to school.", "He went to school.", "fluency"),
        ("It are red.", "It is red.", "fluency"),
        ("We use it a lot.", "We use it often.", "clarity"),
        ("The car red.", "The car is red.", "fluency"),
    ]
    rows = [{"before_sent": b, "after_sent": a, "labels": label} for b, a, label in pairs]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    found = {"data": data}
    for method in ("intention-tuning", "lora"):
        out = root / method
        assert _train(tiny_model, data, out, "--method", method, "--lora-r", "4") == 0
        found[method] = out
    return found


def _weights(folder: Path) -> dict[str, torch.Tensor]:
    return load_file(folder / "adapter_model.safetensors")


def _same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_a_child_with_lr_zero_keeps_its_parents_generation_adapter(parents, tiny_model, tmp_path):
    parent, out = parents["intention-tuning"], tmp_path / "child"
    assert _train(tiny_model, parents["data"], out, "--init-from", str(parent), "--lr", "0") == 0
    assert _same(_weights(out), _weights(parent))


def test_a_child_trains_on_from_its_parent_with_a_positive_lr(parents, tiny_model, tmp_path):
    parent, out = parents["intention-tuning"], tmp_path / "child"
    assert _train(tiny_model, parents["data"], out, "--init-from", str(parent), "--lr", "0.01") == 0
    child, start = _weights(out), _weights(parent)
    assert child.keys() == start.keys() and not _same(child, start)


def test_an_intention_tuning_child_skips_stage_one_and_keeps_s_gen_and_predictor(
    parents, tiny_model, tmp_path
):
    parent, out = parents["intention-tuning"], tmp_path / "child"
    assert _train(tiny_model, parents["data"], out, "--init-from", str(parent)) == 0
    log = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert {line["stage"] for line in log} == {2}
    before, after = AdapterBundle.read(parent), AdapterBundle.read(out)
    assert after.lineage["s_gen"] == before.lineage["s_gen"]
    assert after.selection["s_gen"] == before.selection["s_gen"]
    assert after.lineage["method_config"]["lora"]["r"] == 4  # the parent's layout
    for name in ("adapter_model.safetensors", "head.safetensors", "predictor.json"):
        assert (out / "predictor" / name).read_bytes() == (parent / "predictor" / name).read_bytes()
    assert "stage1" not in after.metrics


def test_the_child_records_its_parent_in_its_lineage(parents, tiny_model, tmp_path):
    parent, out = parents["lora"], tmp_path / "child"
    argv = ["--method", "lora", "--init-from", str(parent), "--lr", "0"]
    assert _train(tiny_model, parents["data"], out, *argv) == 0
    bundle = AdapterBundle.read(out)
    assert bundle.parent == {"folder": str(parent.resolve()), "name": parent.name}
    assert bundle.lineage["hyperparameters"]["init_from"] == str(parent.resolve())
    assert _same(_weights(out), _weights(parent))
    assert AdapterBundle.read(parent).parent is None


@pytest.mark.parametrize(
    ("method", "parent_key", "message"),
    [
        ("lora", "intention-tuning", "method 'intention-tuning'"),
        ("intention-tuning", "data", "not an adapter bundle"),
    ],
)
def test_a_parent_of_another_method_or_no_bundle_is_refused(
    parents, tiny_model, tmp_path, capsys, method, parent_key, message
):
    out = tmp_path / "child"
    argv = ["--method", method, "--init-from", str(parents[parent_key])]
    assert _train(tiny_model, parents["data"], out, *argv) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: init_from") and message in err
    assert not out.exists()


def test_a_parent_of_another_base_model_is_refused(parents, save_tiny_llama, tmp_path, capsys):
    other = save_tiny_llama(2)
    argv = ["--method", "lora", "--init-from", str(parents["lora"])]
    assert _train(other, parents["data"], tmp_path / "child", *argv) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: init_from") and "base model" in err
