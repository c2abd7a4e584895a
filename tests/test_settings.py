import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_bind_to_loopback_on_7860_with_a_sqlite_file():
    s = Settings.from_env({"ITUNE_HOME": "/tmp/x"})
    assert (s.server_name, s.server_port) == ("127.0.0.1", 7860)
    assert s.database_url == "sqlite:////tmp/x/itune.db"
    assert s.model == "embedded" and s.home == Path("/tmp/x")


def test_environment_overrides_every_setting():
    s = Settings.from_env(
        {
            "ITUNE_DB_URL": "postgresql+psycopg://u@h/db",
            "ITUNE_MODEL": "/models/llama",
            "ITUNE_MAX_CHARS": "500",
            "GRADIO_SERVER_NAME": "0.0.0.0",
            "GRADIO_SERVER_PORT": "8080",
            "ITUNE_DTYPE": "float32",
        }
    )
    assert s.database_url == "postgresql+psycopg://u@h/db"
    assert (s.model, s.max_chars, s.server_name, s.server_port, s.dtype) == (
        "/models/llama",
        500,
        "0.0.0.0",
        8080,
        "float32",
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ITUNE_MAX_CHARS": "lots"}, "ITUNE_MAX_CHARS must be an integer"),
        ({"ITUNE_MAX_CHARS": "0"}, "max_chars must be positive"),
        ({"GRADIO_SERVER_PORT": "70000"}, "GRADIO_SERVER_PORT must be 0-65535"),
        ({"ITUNE_DTYPE": "int4"}, "ITUNE_DTYPE must be one of"),
        ({"ITUNE_DEVICE": "gpu7"}, "ITUNE_DEVICE is not a device"),
    ],
)
def test_bad_settings_name_the_variable_and_value(env, message):
    with pytest.raises(ValueError, match=message):
        Settings.from_env(env)


def test_admin_and_worker_settings_come_from_the_environment():
    s = Settings.from_env(
        {"ITUNE_ADMIN_USER": "root", "ITUNE_ADMIN_PASSWORD": " spaced pw ", "ITUNE_WORKER": "0"}
    )
    assert (s.admin_user, s.admin_password, s.worker) == ("root", " spaced pw ", False)
    assert "spaced" not in repr(s), "the admin password must not show in logs"
    assert Settings.from_env({}).worker is True


def test_a_worker_flag_that_is_not_a_boolean_is_refused():
    with pytest.raises(ValueError, match="ITUNE_WORKER"):
        Settings.from_env({"ITUNE_WORKER": "maybe"})


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.1.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
        ("example.org", False),
    ],
)
def test_only_addresses_of_this_host_count_as_loopback(host, loopback):
    assert Settings(server_name=host).loopback is loopback


def test_the_built_in_adapter_is_served_by_default_on_the_embedded_model(monkeypatch, tmp_path):
    import app

    shipped = tmp_path / "itune-default"
    shipped.mkdir()
    (shipped / "adapter_config.json").write_text("{}")
    monkeypatch.setattr(app, "BUILTIN_ADAPTER", shipped)
    assert Settings.from_env({}).adapter is None  # weights missing: not an adapter
    (shipped / "adapter_model.safetensors").write_bytes(b"")
    assert Settings.from_env({}).adapter == shipped
    assert Settings.from_env({"ITUNE_ADAPTER": "none"}).adapter is None
    assert Settings.from_env({"ITUNE_ADAPTER": "Base"}).adapter is None
    assert Settings.from_env({"ITUNE_ADAPTER": "/runs/mine"}).adapter == Path("/runs/mine")
    # Trained on the embedded model: another base model gets no adapter by default.
    assert Settings.from_env({"ITUNE_MODEL": "/models/llama"}).adapter is None
    monkeypatch.setattr(app, "BUILTIN_ADAPTER", tmp_path / "missing")
    assert Settings.from_env({}).adapter is None


def test_a_database_url_is_logged_without_its_password():
    from app import masked_url

    shown = masked_url("postgresql+psycopg://itune:hunter2@db.internal:5432/itune")
    assert "hunter2" not in shown and shown.startswith("postgresql+psycopg://itune:***@")
    assert masked_url("sqlite:////data/itune.db") == "sqlite:////data/itune.db"


def test_the_confidence_threshold_is_a_setting_and_off_keeps_every_edit():
    from itune_core.reviser import ReviseSettings

    assert Settings.from_env({}).min_edit_margin == ReviseSettings.min_edit_margin
    assert Settings.from_env({"ITUNE_MIN_EDIT_MARGIN": "off"}).min_edit_margin is None
    assert Settings.from_env({"ITUNE_MIN_EDIT_MARGIN": "1.5"}).min_edit_margin == 1.5
    with pytest.raises(ValueError, match="ITUNE_MIN_EDIT_MARGIN must be a number of nats"):
        Settings.from_env({"ITUNE_MIN_EDIT_MARGIN": "lots"})
    with pytest.raises(ValueError, match="ITUNE_MIN_EDIT_MARGIN"):
        Settings.from_env({"ITUNE_MIN_EDIT_MARGIN": "nan"})


def test_tense_context_is_a_setting_on_by_default():
    from itune_core.reviser import ReviseSettings

    assert Settings.from_env({}).tense_context is ReviseSettings.tense_context is True
    assert Settings.from_env({"ITUNE_TENSE_CONTEXT": "0"}).tense_context is False
    with pytest.raises(ValueError, match="ITUNE_TENSE_CONTEXT must be 0 or 1"):
        Settings.from_env({"ITUNE_TENSE_CONTEXT": "sometimes"})


def test_prompt_lookup_is_a_setting_and_zero_turns_it_off():
    from itune_core.reviser import ReviseSettings

    assert Settings.from_env({}).prompt_lookup == ReviseSettings.prompt_lookup > 0
    assert Settings.from_env({"ITUNE_PROMPT_LOOKUP": "0"}).prompt_lookup == 0
    assert Settings.from_env({"ITUNE_PROMPT_LOOKUP": "4"}).prompt_lookup == 4
    for bad in ("-1", "65"):
        with pytest.raises(ValueError, match="ITUNE_PROMPT_LOOKUP must be 0-64"):
            Settings.from_env({"ITUNE_PROMPT_LOOKUP": bad})
    with pytest.raises(ValueError, match="ITUNE_PROMPT_LOOKUP must be an integer"):
        Settings.from_env({"ITUNE_PROMPT_LOOKUP": "many"})


@pytest.mark.parametrize(
    ("env", "app_spin", "worker"),
    [
        ({}, "10000", {"OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": "0"}),
        ({"OMP_WAIT_POLICY": "PASSIVE"}, None, {}),
        ({"GOMP_SPINCOUNT": "500"}, "500", {}),
        # the operator's choice, though it is the app's own value: the worker keeps it too
        ({"GOMP_SPINCOUNT": "10000"}, "10000", {}),
    ],
)
def test_openmp_threads_spin_briefly_in_the_app_and_not_in_its_worker(env, app_spin, worker):
    """The app sets OpenMP's spin count before torch loads unless the operator set a wait
    policy or a spin count; the worker it starts then gets no spinning."""
    clean = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    probe = (
        "import json, os, app; "
        "print(json.dumps([os.environ.get('GOMP_SPINCOUNT'), app.openmp.SECOND_JOB]))"
    )
    out = (
        subprocess.run(
            [sys.executable, "-c", probe],
            cwd=ROOT,
            env={**clean, **env},
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    assert json.loads(out) == [app_spin, worker]
