"""Training under several processes (torchrun, gloo on the CPU) matches one process on the
same global batch: the same blocks selected at every step, the same adapter."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from safetensors.torch import load_file

from tests.training.conftest import SENTENCES

ROOT = Path(__file__).resolve().parents[2]


def _argv(tiny_model, data_file, output, batch_size):
    return [
        "-m", "training", "train", "--method", "intention-tuning", "--data", str(data_file),
        "--model", str(tiny_model), "--output", str(output), "--max-steps", "3",
        "--stage1-steps", "3", "--max-length", "96", "--checkpoint-every", "0", "--cpu",
        "--mixed-precision", "no", "--base-dtype", "float32", "--lora-dropout", "0",
        "--batch-size", str(batch_size),
    ]  # fmt: skip


@pytest.fixture
def tiny_model(save_tiny_llama) -> Path:
    return save_tiny_llama(6)


PAIRS = [  # the shared six, and two more: 8 fill two global batches of 4
    *SENTENCES,
    ("She like apples.", "She likes apples.", "fluency"),
    ("This are bad.", "This is bad.", "fluency"),
]


def test_two_processes_train_what_one_process_trains_on_the_same_global_batch(tiny_model, tmp_path):
    # 8 examples, global batches of 4: no short batch at the end of an epoch (there the
    # processes top theirs up with repeats, which one process does not).
    data_file = tmp_path / "data.jsonl"
    data_file.write_text(
        "".join(
            json.dumps({"before_sent": b, "after_sent": a, "labels": label}) + "\n"
            for b, a, label in PAIRS
        )
    )
    two, one = tmp_path / "two", tmp_path / "one"
    torchrun = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node",
        "2",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the launcher's children import training
    run = dict(cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    done = subprocess.run([*torchrun, *_argv(tiny_model, data_file, two, 2)[1:]], **run)
    assert done.returncode == 0, done.stderr[-3000:]
    done = subprocess.run([sys.executable, *_argv(tiny_model, data_file, one, 4)], **run)
    assert done.returncode == 0, done.stderr[-3000:]

    assert json.loads((two / "metrics.json").read_text())["num_processes"] == 2
    logs = [[json.loads(line) for line in (out / "log.jsonl").open()] for out in (one, two)]
    assert len(logs[0]) == len(logs[1]) == 6
    for a, b in zip(*logs, strict=True):  # every step: the same blocks, norms, loss, tokens
        assert (a["stage"], a["step"], a["selected"]) == (b["stage"], b["step"], b["selected"])
        assert a["tokens"] == b["tokens"]
        assert a["loss"] == pytest.approx(b["loss"], rel=1e-5)
        assert a["norms"] == pytest.approx(b["norms"], rel=1e-4)
    adapters = [load_file(out / "adapter_model.safetensors") for out in (one, two)]
    assert adapters[0].keys() == adapters[1].keys()
    for name, tensor in adapters[0].items():
        assert (tensor - adapters[1][name]).abs().max() < 1e-5, name
    assert not list(two.parent.glob("two.*"))  # one output folder, nothing beside it
