"""Shared fixtures: the embedded model converted once per test session.

Property tests (Hypothesis) draw fresh examples on every run, so a developer's runs keep
looking for new failures; ``HYPOTHESIS_PROFILE=ci`` (which ``.ci/run`` sets) draws the same
examples every time, so CI passes or fails on the code, not on the draw.
"""

import json
import os
from pathlib import Path

import pytest
import torch
from hypothesis import settings

from itune_core.model import EMBEDDED_MODEL, LoadedModel, load_model, resolve_model_source

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def itune_home(tmp_path_factory) -> Path:
    """An ITUNE_HOME whose models/ holds the embedded model, converted once per session."""
    home = tmp_path_factory.mktemp("itune-home")
    resolve_model_source("embedded", home / "models")
    assert (home / "models" / EMBEDDED_MODEL / "model.safetensors").is_file()
    return home


@pytest.fixture(scope="session")
def embedded(itune_home) -> LoadedModel:
    """The embedded SmolLM2-135M-Instruct, in fp32 on the CPU (deterministic)."""
    return load_model(
        "embedded", cache_dir=itune_home / "models", device=torch.device("cpu"), dtype=torch.float32
    )


ROWS = [
    ("He go to school yesterday.", "He went to school yesterday.", "fluency"),
    ("The result are good.", "The results are good.", "fluency"),
    ("We uses a method that is new.", "We use a new method.", "clarity"),
    ("She dont like apple.", "She does not like apples.", "fluency"),
]


@pytest.fixture(scope="session")
def embedded_run(itune_home, tmp_path_factory) -> Path:
    """A real Intention-Tuning run on the embedded model: 3 + 6 steps on four examples."""
    from training import cli

    folder = tmp_path_factory.mktemp("real-run")
    data = folder / "four.jsonl"
    data.write_text(
        "".join(
            json.dumps({"before_sent": b, "after_sent": a, "labels": label}) + "\n"
            for b, a, label in ROWS
        )
    )
    out = folder / "run"
    # One batch of all four examples: every step sees the same batch, so the loss must fall.
    argv = ["train", "--method", "intention-tuning", "--data", str(data), "--output", str(out)]
    argv += ["--home", str(itune_home), "--batch-size", "4", "--max-length", "128"]
    argv += ["--stage1-steps", "3", "--max-steps", "6", "--lr", "0.001"]
    assert cli.main(argv) == 0
    return out
