"""``python -m training train`` end to end on a tiny Llama (4 blocks) with the embedded
model's tokenizer: the promised files, every method, budgets, bad data and interruption."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
import yaml
from peft import PeftModel
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM

from itune_core.bundle import AdapterBundle, PredictorInfo, load_predictor
from itune_core.method_config import MethodConfig
from training import cli
from training.config import TrainConfig

ROOT = Path(__file__).resolve().parents[2]
NUM_BLOCKS = 4
TRAIN = [sys.executable, "-m", "training", "train"]


@pytest.fixture(scope="module")
def tiny_model(save_tiny_llama) -> Path:
    """A 4-block Llama saved with the embedded model's tokenizer (and chat template)."""
    return save_tiny_llama(NUM_BLOCKS)


def _train(tiny_model, data, output, *extra: str, home=None) -> int:
    argv = [
        "train",
        "--data",
        str(data),
        "--output",
        str(output),
        "--model",
        str(tiny_model),
        "--batch-size",
        "2",
        "--max-length",
        "96",
        *extra,
    ]
    if "--method" not in extra:
        argv += ["--method", "intention-tuning"]
    if "--max-steps" not in extra:
        argv += ["--max-steps", "2"]
    if home is not None:
        argv += ["--home", str(home)]
    return cli.main(argv)


def _log(output: Path) -> list[dict]:
    return [json.loads(line) for line in (output / "log.jsonl").read_text().splitlines()]


def _leftovers(output: Path) -> list[str]:
    return sorted(p.name for p in output.parent.iterdir() if p.name.startswith(f".{output.name}."))


# --- the promised files --------------------------------------------------------------------


def test_a_smoke_run_writes_every_promised_file(tiny_model, tmp_path):
    out = tmp_path / "run"
    assert _train(tiny_model, "iterater-sent", out, "--max-steps", "2") == 0
    for name in (
        "adapter_config.json",
        "adapter_model.safetensors",
        "predictor/adapter_config.json",
        "predictor/adapter_model.safetensors",
        "predictor/head.safetensors",
        "predictor/predictor.json",
        "selection.json",
        "log.jsonl",
        "config.yaml",
        "metrics.json",
        "lineage.json",
    ):
        assert (out / name).is_file(), name
    assert _leftovers(out) == []

    selection = json.loads((out / "selection.json").read_text())
    s_gen = selection["s_gen"]
    assert s_gen and all(isinstance(b, int) and 0 <= b < NUM_BLOCKS for b in s_gen)
    assert len(selection["stage1"]["history"]) == 2
    assert len(selection["stage1"]["G"]) == NUM_BLOCKS
    assert 0.0 <= selection["alignment_ratio"] <= 1.0
    assert all(len(h["norms"]) == NUM_BLOCKS for h in selection["stage1"]["history"])

    metrics = json.loads((out / "metrics.json").read_text())
    for stage in ("stage1", "stage2"):
        assert metrics[stage]["steps"] == 2
        assert metrics[stage]["peak_memory_bytes"] > 0
        assert metrics[stage]["trainable_params"] > 0
        assert metrics[stage]["seconds"] > 0
    assert metrics["stage1"]["mean_selected"] >= 1

    lineage = json.loads((out / "lineage.json").read_text())
    assert lineage["method"] == "intention-tuning"
    assert lineage["data"]["name"] == "iterater-sent"
    assert len(lineage["data"]["sha256"]) == 64
    assert lineage["s_gen"] == s_gen
    assert lineage["hyperparameters"]["max_steps"] == 2


def test_the_resolved_config_records_every_decision_and_runs_again(tiny_model, tmp_path):
    out = tmp_path / "run"
    assert _train(tiny_model, tmp_path / "d.jsonl", out) != 0  # missing file: nothing written
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps({"before_sent": "A b .", "after_sent": "A b.", "labels": "fluency"}))
    assert _train(tiny_model, data, out) == 0
    resolved = yaml.safe_load((out / "config.yaml").read_text())
    assert set(resolved["method_config"]) == set(MethodConfig().to_dict())
    assert resolved["mixed_precision"] in ("bf16", "no")  # "auto" decided
    config = TrainConfig.from_dict(resolved)
    assert config.max_steps == 2 and config.stage1_steps == 2

    again = tmp_path / "again"
    argv = ["train", "--config", str(out / "config.yaml"), "--output", str(again)]
    assert cli.main([*argv, "--home", str(tmp_path)]) == 0
    assert (again / "adapter_model.safetensors").is_file()


def test_non_default_decisions_are_switches_recorded_with_the_output(
    tiny_model, data_file, tmp_path
):
    out = tmp_path / "run"
    flags = [
        "--no-head-trainable",
        "--first-step",
        "random",
        "--norm",
        "reference",
        "--keep-low-max",
        "--sgen-rule",
        "topk_mean",
        "--no-sgen-fixed",
        "--varsplit-low",
        "0.3",
        "--lora-r",
        "4",
        "--seed",
        "3",
    ]
    assert _train(tiny_model, data_file, out, *flags) == 0
    recorded = json.loads((out / "lineage.json").read_text())["method_config"]
    assert recorded["head_trainable"] is False
    assert recorded["first_step"] == "random"
    assert recorded["norm"] == "reference"
    assert recorded["keep_low_max"] is True
    assert recorded["sgen_rule"] == "topk_mean"
    assert recorded["sgen_fixed"] is False
    assert recorded["varsplit_low"] == 0.3
    assert recorded["lora"]["r"] == 4
    assert recorded["seed"] == 3
    assert json.loads((out / "adapter_config.json").read_text())["r"] == 4
    assert json.loads((out / "selection.json").read_text())["stage2"]["dynamic"] is True


def test_set_overrides_any_key_after_the_yaml_file(tiny_model, data_file, tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "method": "lora",
                "data": str(data_file),
                "output": str(tmp_path / "from-yaml"),
                "model": str(tiny_model),
                "max_steps": 1,
                "batch_size": 2,
                "method_config": {"lora": {"r": 2}},
            }
        )
    )
    out = tmp_path / "run"
    argv = ["train", "--config", str(config), "--output", str(out), "--max-steps", "3"]
    argv += ["--set", "method_config.lora.target_modules=[q_proj, v_proj]", "--home", str(tmp_path)]
    assert cli.main(argv) == 0
    adapter = json.loads((out / "adapter_config.json").read_text())
    assert adapter["r"] == 2 and sorted(adapter["target_modules"]) == ["q_proj", "v_proj"]
    assert len(_log(out)) == 3
    assert not (tmp_path / "from-yaml").exists()


# --- the adapters --------------------------------------------------------------------------


def test_the_adapter_loads_with_plain_peft_and_adapts_only_s_gen(tiny_model, data_file, tmp_path):
    out = tmp_path / "run"
    assert _train(tiny_model, data_file, out, "--max-steps", "3") == 0
    s_gen = json.loads((out / "selection.json").read_text())["s_gen"]

    base = AutoModelForCausalLM.from_pretrained(tiny_model)
    model = PeftModel.from_pretrained(base, out)
    adapted = {
        int(name.split("layers.")[1].split(".")[0])
        for name, _ in model.named_parameters()
        if "lora_" in name
    }
    assert adapted == set(s_gen)
    saved = load_file(out / "adapter_model.safetensors")
    assert saved and all(
        f"layers.{name.split('layers.')[1].split('.')[0]}." in name for name in saved
    )
    # The trained weights, not a fresh init: lora_B starts at zero and was trained.
    assert any(v.abs().sum() > 0 for k, v in saved.items() if "lora_B" in k)


def test_the_predictor_reloads_and_predicts_the_labels_it_was_trained_on(
    tiny_model, data_file, tmp_path
):
    out = tmp_path / "run"
    assert _train(tiny_model, data_file, out) == 0
    predictor = AdapterBundle.load(out, AutoModelForCausalLM.from_pretrained(tiny_model)).predictor
    meta = json.loads((out / "predictor" / "predictor.json").read_text())
    assert meta["labels"] == ["clarity", "fluency", "coherence", "style", "meaning-changed"]
    ids = torch.tensor([[1, 2, 3, 4]])
    proba = predictor.predict_proba(ids, torch.ones_like(ids))
    assert proba.shape == (1, 5)
    assert torch.allclose(proba.sum(), torch.tensor(1.0))


@pytest.mark.parametrize("method", ["lora", "dora", "ir-tuning", "intention-tuning"])
def test_each_method_runs_two_steps_and_logs_them(tiny_model, data_file, tmp_path, method):
    out = tmp_path / "run"
    assert _train(tiny_model, data_file, out, "--method", method, "--max-steps", "2") == 0
    lines = _log(out)
    stage2 = [line for line in lines if line["stage"] == 2]
    assert [line["step"] for line in stage2] == [1, 2]
    stage1 = [line for line in lines if line["stage"] == 1]
    assert len(stage1) == (2 if method == "intention-tuning" else 0)
    for line in lines:
        assert line["loss"] > 0
        assert line["selected"] and set(map(int, line["norms"])) == set(line["selected"])
    adapter = json.loads((out / "adapter_config.json").read_text())
    assert adapter["use_dora"] is (method == "dora")
    selection = json.loads((out / "selection.json").read_text())
    assert selection["stage2"]["dynamic"] is (method == "ir-tuning")
    if method != "intention-tuning":
        assert adapter["layers_to_transform"] is None
        assert selection["s_gen"] == list(range(NUM_BLOCKS))
        assert not (out / "predictor").exists()


def test_max_steps_is_the_stage_two_budget_and_stage_one_has_its_own(
    tiny_model, data_file, tmp_path
):
    out = tmp_path / "run"
    assert _train(tiny_model, data_file, out, "--max-steps", "3", "--stage1-steps", "2") == 0
    stages = [line["stage"] for line in _log(out)]
    assert stages == [1, 1, 2, 2, 2]
    metrics = json.loads((out / "metrics.json").read_text())
    assert (metrics["stage1"]["steps"], metrics["stage2"]["steps"]) == (2, 3)


def test_without_max_steps_one_epoch_is_run(tiny_model, data_file, tmp_path):
    out = tmp_path / "run"
    argv = ["--method", "lora", "--max-steps", "1", "--set", "max_steps=null"]
    assert _train(tiny_model, data_file, out, *argv) == 0
    assert len(_log(out)) == len(data_file.read_text().splitlines()) // 2  # batch size 2


# --- bad input -----------------------------------------------------------------------------


BAD_DATA = {
    "missing field": (b'{"before_sent": "A.", "after_sent": "B."}\n', "line 1", "'labels'"),
    "empty file": (b"", "empty", None),
    "unknown label": (
        b'{"before_sent": "A.", "after_sent": "B.", "labels": "fluency"}\n'
        b'{"before_sent": "A.", "after_sent": "B.", "labels": "grammar"}\n',
        "line 2",
        "'labels'",
    ),
    "non-UTF-8 line": (
        b'{"before_sent": "A.", "after_sent": "B.", "labels": "fluency"}\n'
        b'{"before_sent": "caf\xe9", "after_sent": "B.", "labels": "fluency"}\n',
        "line 2",
        "UTF-8",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_DATA))
def test_bad_data_stops_before_training_naming_file_line_and_field(
    tiny_model, tmp_path, capsys, case
):
    content, where, what = BAD_DATA[case]
    data = tmp_path / "bad.jsonl"
    data.write_bytes(content)
    out = tmp_path / "out" / "run"
    assert _train(tiny_model, data, out) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ")
    assert str(data) in err[0] and where in err[0]
    if what:
        assert what in err[0]
    assert not out.exists() and _leftovers(out) == []


def test_bad_data_exits_non_zero_from_the_command_line(tiny_model, tmp_path):
    data = tmp_path / "bad.jsonl"
    data.write_bytes(BAD_DATA["missing field"][0])
    out = tmp_path / "run"
    argv = ["--method", "lora", "--data", str(data), "--output", str(out)]
    proc = subprocess.run(
        [*TRAIN, *argv, "--model", str(tiny_model)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert f"error: {data} line 1: field 'labels': missing" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_a_bad_config_value_is_a_one_line_error(tiny_model, data_file, tmp_path, capsys):
    assert _train(tiny_model, data_file, tmp_path / "run", "--set", "lr=-1") == 1
    assert capsys.readouterr().err.strip() == "error: lr must be a number >= 0.0, got -1"
    assert _train(tiny_model, data_file, tmp_path / "run", "--set", "epoch=3") == 1
    assert "unknown config keys: epoch" in capsys.readouterr().err


def test_a_missing_model_is_a_one_line_error(data_file, tmp_path, capsys):
    assert _train(tmp_path / "no-such-model", data_file, tmp_path / "run") == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: cannot load") and "no-such-model" in err
    assert not (tmp_path / "run").exists()


def test_an_existing_run_is_replaced_only_with_overwrite(tiny_model, data_file, tmp_path, capsys):
    out = tmp_path / "run"
    assert _train(tiny_model, data_file, out, "--method", "lora") == 0
    first = (out / "adapter_model.safetensors").read_bytes()
    assert _train(tiny_model, data_file, out, "--method", "lora", "--seed", "1") == 1
    assert "--overwrite" in capsys.readouterr().err
    assert (out / "adapter_model.safetensors").read_bytes() == first
    assert _train(tiny_model, data_file, out, "--method", "lora", "--seed", "1", "--overwrite") == 0
    assert (out / "adapter_model.safetensors").read_bytes() != first
    assert _leftovers(out) == []


# --- interruption --------------------------------------------------------------------------


def _interrupt_at(monkeypatch, stage: int, step: int) -> None:
    original = cli.TrainingProgressBars.on_step

    def on_step(self, log):
        original(self, log)
        if (log.stage, log.step) == (stage, step):
            raise KeyboardInterrupt

    monkeypatch.setattr(cli.TrainingProgressBars, "on_step", on_step)


@pytest.mark.parametrize("stage", [1, 2])
def test_an_interrupted_run_leaves_no_output(tiny_model, data_file, tmp_path, monkeypatch, stage):
    _interrupt_at(monkeypatch, stage, 2)
    out = tmp_path / "run"
    assert _train(tiny_model, data_file, out, "--max-steps", "4") == 130
    assert not out.exists()
    assert _leftovers(out) == []


def test_an_interrupted_overwrite_leaves_the_previous_run_untouched(
    tiny_model, data_file, tmp_path, monkeypatch
):
    out = tmp_path / "run"
    assert _train(tiny_model, data_file, out, "--method", "lora") == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    _interrupt_at(monkeypatch, 2, 1)
    assert _train(tiny_model, data_file, out, "--method", "lora", "--overwrite") == 130
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert _leftovers(out) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_killed_process_leaves_no_output(tiny_model, data_file, tmp_path, sig):
    out = tmp_path / "run"
    argv = ["--method", "lora", "--data", str(data_file), "--output", str(out)]
    proc = subprocess.Popen(
        [*TRAIN, *argv, "--model", str(tiny_model), "--max-steps", "100000", "--batch-size", "2"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 120
        while not any(
            (p / "log.jsonl").is_file() and (p / "log.jsonl").stat().st_size
            for p in tmp_path.glob(".run.tmp-*")
        ):
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "training did not start"
            time.sleep(0.2)
        proc.send_signal(sig)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not out.exists()
    if sig == signal.SIGTERM:
        assert proc.returncode == 130
        assert "interrupted" in proc.stderr.read()
        assert _leftovers(out) == []
    else:  # SIGKILL runs no clean-up: only the hidden staging folder stays behind
        for leftover in _leftovers(out):
            shutil.rmtree(tmp_path / leftover)


def test_an_edit_weight_is_trained_with_and_recorded(tiny_model, data_file, tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["--method", "lora", "--max-steps", "2", "--edit-weight", "3"]
    assert _train(tiny_model, data_file, out, *argv) == 0
    lineage = json.loads((out / "lineage.json").read_text())
    assert lineage["hyperparameters"]["edit_weight"] == 3.0
    assert all(line["loss"] > 0 for line in _log(out))
    assert _train(tiny_model, data_file, tmp_path / "bad", "--edit-weight", "0.5") != 0
    assert "edit_weight must be a number >= 1.0" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()


def test_predictors_share_one_base_model_and_answer_as_if_alone(tiny_model, tmp_path):
    from peft import get_peft_model

    from itune_core.bundle import save_predictor
    from itune_core.lora import lora_config
    from itune_core.predictor import IntentionClassifier

    labels = ["clarity", "fluency", "coherence", "style", "meaning-changed"]
    folders = []
    for seed in range(3):  # three predictors with different weights
        torch.manual_seed(seed)
        model = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_model), lora_config())
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.data.normal_(0, 0.5)
        folder = tmp_path / f"p{seed}" / "predictor"
        save_predictor(
            IntentionClassifier(model, len(labels)), folder, PredictorInfo(tuple(labels), False)
        )
        folders.append(folder)
    ids = torch.tensor([[1, 2, 3, 4, 5]])
    mask = torch.ones_like(ids)
    alone = [
        load_predictor(f, AutoModelForCausalLM.from_pretrained(tiny_model)).predict_proba(ids, mask)
        for f in folders
    ]
    shared_base = AutoModelForCausalLM.from_pretrained(tiny_model)
    shared, model = [], shared_base
    for k, folder in enumerate(folders):
        classifier = load_predictor(folder, model, adapter_name=f"predictor-{k}").eval()
        model = classifier.model
        shared.append(classifier)
    assert len(model.peft_config) == 3 and model.get_base_model() is shared_base
    for _ in range(2):  # in any order, each answers with its own adapter
        for k in (2, 0, 1):
            assert torch.allclose(shared[k].predict_proba(ids, mask), alone[k], atol=1e-6)
    assert not torch.allclose(alone[0], alone[1], atol=1e-3)
