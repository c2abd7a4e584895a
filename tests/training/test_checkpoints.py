"""Checkpoints: an interrupted run resumes where it stopped and ends with the very adapter
an uninterrupted run gives; budgets leave snapshots; another run's checkpoints are refused."""

import json
import os
import time
from pathlib import Path

import pytest
import torch
from peft import PeftModel
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM

from training import cli
from training.checkpoints import checkpoint_dir, fingerprint


@pytest.fixture(scope="module")
def tiny_model(save_tiny_llama) -> Path:
    return save_tiny_llama(4)


def _train(tiny_model, data, output, *extra: str) -> int:
    argv = ["train", "--data", str(data), "--output", str(output), "--model", str(tiny_model)]
    argv += ["--batch-size", "2", "--max-length", "96", "--method", "intention-tuning"]
    argv += ["--max-steps", "6", "--stage1-steps", "3", "--checkpoint-every", "2", *extra]
    return cli.main(argv)


def _interrupt_at(monkeypatch, stage: int, step: int) -> None:
    original = cli.TrainingProgressBars.on_step

    def on_step(self, log):
        original(self, log)
        if (log.stage, log.step) == (stage, step):
            raise KeyboardInterrupt

    monkeypatch.setattr(cli.TrainingProgressBars, "on_step", on_step)


def _tensors(folder: Path) -> dict:
    return load_file(folder / "adapter_model.safetensors")


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all((a[k] == b[k]).all() for k in a)


def _selection(folder: Path) -> dict:
    return json.loads((folder / "selection.json").read_text())


@pytest.mark.parametrize(
    "method, stage, step",
    [("intention-tuning", 2, 5), ("intention-tuning", 1, 2), ("ir-tuning", 2, 5)],
)
def test_an_interrupted_run_resumes_to_the_uninterrupted_adapter(
    tiny_model, data_file, tmp_path, monkeypatch, capsys, method, stage, step
):
    # ir-tuning selects Stage II's blocks dynamically: a resume must rebuild the tracker,
    # or it picks other blocks from step 5 on and ends with another adapter.
    reference = tmp_path / "reference"
    assert _train(tiny_model, data_file, reference, "--method", method) == 0
    out = tmp_path / "run"
    with monkeypatch.context() as patch:
        _interrupt_at(patch, stage, step)
        assert _train(tiny_model, data_file, out, "--method", method) == 130
    assert not out.exists() and checkpoint_dir(out).is_dir()
    told = capsys.readouterr().err
    # Stage I restarts whole: interrupted there, nothing is kept, and the message says so.
    assert ("run the same command again to start over" if stage == 1 else "resume there") in told
    assert _train(tiny_model, data_file, out, "--method", method) == 0
    assert _same(_tensors(out), _tensors(reference))
    assert _selection(out) == _selection(reference)
    log = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    stage1 = [(1, k) for k in range(1, 4)] if method == "intention-tuning" else []
    assert [(e["stage"], e["step"]) for e in log] == stage1 + [(2, k) for k in range(1, 7)]
    if method == "intention-tuning":
        assert _same(_tensors(out / "predictor"), _tensors(reference / "predictor"))
    else:
        # The dynamic selection really moved between steps, so the replay had work to do.
        assert len({tuple(e["selected"]) for e in log}) > 1
    assert not checkpoint_dir(out).exists()  # published: the checkpoints are gone


def test_a_resumed_run_counts_the_time_its_interrupted_call_spent(
    tiny_model, data_file, tmp_path, monkeypatch
):
    # Every Stage-I step and the first four Stage-II steps (the checkpoint at step 4) take
    # at least 0.25 s in the first call, which stops at Stage-II step 5; the resumed call
    # runs at full speed. The run's time is both calls' work, not the second call's alone.
    slow = 0.25
    original = cli.TrainingProgressBars.on_step

    def on_step(self, log):
        original(self, log)
        if log.stage == 1 or log.step <= 4:
            time.sleep(slow)
        if (log.stage, log.step) == (2, 5):
            raise KeyboardInterrupt

    out = tmp_path / "run"
    with monkeypatch.context() as patch:
        patch.setattr(cli.TrainingProgressBars, "on_step", on_step)
        assert _train(tiny_model, data_file, out) == 130
    assert _train(tiny_model, data_file, out) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    earlier = metrics["stage1"]["seconds"] + 4 * slow
    assert metrics["stage1"]["seconds"] >= 3 * slow
    assert metrics["stage2"]["seconds"] >= 4 * slow
    assert metrics["total_seconds"] >= metrics["seconds_this_call"] + earlier
    assert metrics["threads"] == torch.get_num_threads()
    assert metrics["omp_wait_policy"] == os.environ.get("OMP_WAIT_POLICY")


def test_checkpoints_of_another_config_are_refused(
    tiny_model, data_file, tmp_path, monkeypatch, capsys
):
    out = tmp_path / "run"
    with monkeypatch.context() as patch:
        _interrupt_at(patch, 2, 3)
        assert _train(tiny_model, data_file, out) == 130
    capsys.readouterr()
    assert _train(tiny_model, data_file, out, "--lr", "0.01") == 1
    assert "holds checkpoints of a different run" in capsys.readouterr().err
    assert not out.exists() and checkpoint_dir(out).is_dir()


def test_snapshots_keep_the_adapter_at_each_budget(tiny_model, data_file, tmp_path):
    out = tmp_path / "run"
    assert _train(tiny_model, data_file, out, "--snapshot-every", "3") == 0
    snapshots = sorted(p.name for p in (out / "snapshots").iterdir())
    assert snapshots == ["step-3", "step-6"]
    assert _same(_tensors(out / "snapshots" / "step-6"), _tensors(out))
    assert not _same(_tensors(out / "snapshots" / "step-3"), _tensors(out))
    base = AutoModelForCausalLM.from_pretrained(tiny_model)
    PeftModel.from_pretrained(base, out / "snapshots" / "step-3")  # loads as an adapter


def test_the_fingerprint_ignores_where_the_output_goes_but_not_what_is_trained():
    settings = {"output": "a", "lr": 1e-3, "checkpoint_every": 5}
    same = fingerprint(settings, "h") == fingerprint({**settings, "output": "b"}, "h")
    assert same and fingerprint(settings, "h") == fingerprint(
        {**settings, "checkpoint_every": 9}, "h"
    )
    assert fingerprint(settings, "h") != fingerprint({**settings, "lr": 2e-3}, "h")
    assert fingerprint(settings, "h") != fingerprint(settings, "other data")


def test_no_checkpoints_leave_nothing_beside_the_output(
    tiny_model, data_file, tmp_path, monkeypatch
):
    out = tmp_path / "run"
    with monkeypatch.context() as patch:
        _interrupt_at(patch, 2, 3)
        assert _train(tiny_model, data_file, out, "--checkpoint-every", "0") == 130
    assert not checkpoint_dir(out).exists() and not out.exists()


def test_an_interrupted_run_that_kept_nothing_says_it_starts_over(
    tiny_model, data_file, tmp_path, monkeypatch, capsys
):
    # Stopped at Stage II's first step, before its first checkpoint (every 2 steps), an
    # ir-tuning run keeps nothing, and the message must not promise a resume.
    out = tmp_path / "run"
    with monkeypatch.context() as patch:
        _interrupt_at(patch, 2, 1)
        assert _train(tiny_model, data_file, out, "--method", "ir-tuning") == 130
    err = capsys.readouterr().err
    assert "interrupted before anything was checkpointed" in err
    assert "resume there" not in err
    assert not (checkpoint_dir(out) / "stage2.pt").exists()
    # Intention-Tuning interrupted in Stage II keeps both stages, and says so.
    with monkeypatch.context() as patch:
        _interrupt_at(patch, 2, 5)
        assert _train(tiny_model, data_file, tmp_path / "it") == 130
    assert "keeps the work done (Stage I and Stage II)" in capsys.readouterr().err


def test_a_run_checkpointed_before_the_prompt_format_existed_resumes_in_chat_only():
    before = {"output": "a", "lr": 1e-3}  # a config written before the setting
    assert fingerprint(before, "h") == fingerprint({**before, "prompt_format": "chat"}, "h")
    assert fingerprint(before, "h") != fingerprint({**before, "prompt_format": "tagged"}, "h")
