"""Shared fixtures: the embedded model converted once per test session."""

from pathlib import Path

import pytest
import torch

from itune_core.model import EMBEDDED_MODEL, LoadedModel, load_model, resolve_model_source


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
