"""Adding a training option is one ``TrainConfig`` field: its ``Setting`` gives the flag,
its help, its checks and its place in an Admin job. These tests hold every field to it."""

import json
import math
from dataclasses import fields

import pytest
import yaml

from training import cli
from training.config import SETTINGS, TrainConfig, dump_yaml
from training.vocabulary import BaseDtype, DataSetName, Method, MixedPrecision

REQUIRED = {"method": "lora", "data": "iterater-sent", "output": "out"}
FLAGGED = [s for s in SETTINGS.values() if s.flag]
BOUNDED = [s for s in SETTINGS.values() if s.maximum is not None]
FLOORED = [s for s in SETTINGS.values() if s.minimum is not None]


def _train_actions() -> dict:
    parser = cli.build_parser()
    [commands] = [a for a in parser._actions if a.dest == "command"]
    return {a.dest: a for a in commands.choices["train"]._actions}


def _other_value(s):
    """A valid value of a setting that is not its default."""
    if s.kind is bool:
        return not s.default
    if s.choices is not None:
        return next(c.value for c in s.choices if c != s.default)
    if s.number_kind is int:
        return (s.minimum or 0) + 2
    if s.number_kind is float:
        return (s.minimum or 0.0) + 0.5
    return f"some-{s.name}"


def test_every_field_has_a_setting_with_help():
    assert list(SETTINGS) == [f.name for f in fields(TrainConfig)]
    for s in SETTINGS.values():
        assert s.help.strip(), s.name


@pytest.mark.parametrize("s", FLAGGED, ids=lambda s: s.name)
def test_every_flagged_field_has_its_flag_with_its_help_type_and_choices(s):
    action = _train_actions()[s.name]
    assert action.option_strings == [s.flag_name]
    assert action.help == s.help and action.default is None
    if s.kind is bool:
        assert action.nargs == 0 and action.const is True
    elif s.choices is not None:
        assert list(action.choices) == [c.value for c in s.choices]
    else:
        assert action.type is s.number_kind
    assert cli.FLAG_KEYS[s.name] == s.name


def test_fields_without_a_flag_have_none_and_method_flags_reach_method_config():
    actions = _train_actions()
    assert "no_grad_below" not in actions and "method_config" not in actions
    assert set(cli.FLAG_KEYS) == {s.name for s in FLAGGED} | set(cli.METHOD_FLAGS)
    assert all(key.startswith("method_config.") for key in cli.METHOD_FLAGS.values())
    assert set(cli.METHOD_FLAGS) <= set(actions)


def test_every_flag_sets_its_field_and_a_flag_not_given_leaves_the_default():
    argv = ["train"]
    wanted = {}
    for s in FLAGGED:
        value = _other_value(s)
        wanted[s.name] = value
        argv += [s.flag_name] if s.kind is bool else [s.flag_name, str(value)]
    config = cli.resolve_config(cli.build_parser().parse_args(argv))
    assert {name: getattr(config, name) for name in wanted} == wanted
    plain = cli.resolve_config(
        cli.build_parser().parse_args(["train", *(f"--{k}={v}" for k, v in REQUIRED.items())])
    )
    assert plain == TrainConfig(**REQUIRED)


@pytest.mark.parametrize("s", BOUNDED, ids=lambda s: s.name)
def test_a_value_just_over_the_bound_is_refused_naming_the_field(s):
    TrainConfig(**{**REQUIRED, s.name: s.maximum})
    over = s.maximum + 1 if s.kind is int else math.nextafter(s.maximum, math.inf)
    with pytest.raises(ValueError, match=f"^{s.name} must be at most {s.maximum:,}, got"):
        TrainConfig(**{**REQUIRED, s.name: over})


@pytest.mark.parametrize("s", FLOORED, ids=lambda s: s.name)
def test_a_value_just_under_the_minimum_is_refused_naming_the_field(s):
    TrainConfig(**{**REQUIRED, s.name: s.minimum})
    under = s.minimum - 1 if s.kind is int else math.nextafter(s.minimum, -math.inf)
    with pytest.raises(ValueError, match=f"^{s.name} must be "):
        TrainConfig(**{**REQUIRED, s.name: under})


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("batch_size", 0, "batch_size must be a positive integer, got 0"),
        ("warmup_steps", -1, "warmup_steps must be an integer >= 0, got -1"),
        ("checkpoint_every", True, "checkpoint_every must be an integer >= 0, got True"),
        ("seed", "1", "seed must be an integer, got '1'"),
        ("lr", -1, "lr must be a number >= 0.0, got -1"),
        ("lr", float("nan"), "lr must be a number >= 0.0, got nan"),
        ("edit_weight", 0.5, "edit_weight must be a number >= 1.0, got 0.5"),
        ("max_steps", 10**9, "max_steps must be at most 200,000, got 1000000000"),
        ("cpu", 1, "cpu must be true or false, got 1"),
        ("model", " ", "model must be a non-empty string, got ' '"),
        ("method", "full", "method must be one of intention-tuning, lora, dora, ir-tuning"),
        ("base_dtype", "fp8", "base_dtype must be one of auto, float32, bfloat16, got 'fp8'"),
        (
            "mixed_precision",
            "fp16",
            "mixed_precision must be one of auto, bf16, no, got 'fp16' (fp16 needs loss "
            "scaling, which is not done)",
        ),
        ("method_config", 3, "method_config must be a MethodConfig, got 3"),
    ],
)
def test_the_generic_checks_keep_their_messages(name, value, message):
    with pytest.raises(ValueError) as err:
        TrainConfig(**{**REQUIRED, name: value})
    assert str(err.value).startswith(message)


def test_optional_fields_take_none_and_required_ones_are_named_when_missing():
    optional = [s.name for s in SETTINGS.values() if s.optional]
    assert optional == [
        "max_steps",
        "stage1_steps",
        "stage1_lr",
        "max_grad_norm",
        "snapshot_every",
        "init_from",
        "replay_data",
        "replay_limit",
    ]
    TrainConfig(**REQUIRED, **dict.fromkeys(optional))
    with pytest.raises(ValueError, match="the config lacks data, output"):
        TrainConfig.from_dict({"method": "lora"})


def test_enum_members_are_kept_as_their_words_and_dump_to_yaml_and_json():
    config = TrainConfig(
        method=Method.DORA,
        data=DataSetName.ARGREWRITE,
        output="out",
        mixed_precision=MixedPrecision.NO,
        base_dtype=BaseDtype.FLOAT32,
    )
    assert type(config.method) is str and config.method == "dora"
    data = yaml.safe_load(dump_yaml(config, "header"))
    assert (data["method"], data["data"], data["mixed_precision"]) == ("dora", "argrewrite", "no")
    assert json.loads(json.dumps({"m": Method.IR_TUNING})) == {"m": "ir-tuning"}
    assert f"{Method.INTENTION_TUNING}" == "intention-tuning"
    assert TrainConfig.from_dict(config.to_dict()) == config


def test_stage_one_takes_its_own_budget_else_stage_two_s_else_the_epochs():
    config = TrainConfig.from_dict(REQUIRED | {"method": "intention-tuning"})
    assert config.stage1_budget is None  # the epochs decide
    assert config.with_changes(max_steps=300).stage1_budget == 300
    assert config.with_changes(max_steps=300, stage1_steps=40).stage1_budget == 40
