"""The method's switches: defaults, validation and the round trip through a dict."""

import pytest

from itune_core.method_config import LoraSettings, MethodConfig


def test_defaults_are_the_documented_decisions():
    config = MethodConfig()
    assert config.to_dict() == {
        "head_trainable": True,
        "first_step": "all",
        "norm": "l2",
        "keep_low_max": False,
        "sgen_rule": "varsplit",
        "sgen_fixed": True,
        "varsplit_low": 0.35,
        "varsplit_high": 0.65,
        "seed": 0,
        "lora": {
            "r": 8,
            "lora_alpha": 16,
            "lora_dropout": 0.05,
            "target_modules": ["q_proj", "k_proj", "v_proj", "up_proj", "down_proj"],
        },
    }


def test_round_trip_through_dict():
    config = MethodConfig(norm="reference", lora=LoraSettings(r=32, lora_alpha=64))
    assert MethodConfig.from_dict(config.to_dict()) == config


def test_unknown_key_is_rejected():
    with pytest.raises(ValueError, match="unknown MethodConfig keys: head_frozen"):
        MethodConfig.from_dict({"head_frozen": True})


def test_unknown_nested_lora_key_is_rejected():
    with pytest.raises(ValueError, match="unknown LoraSettings keys: alpha"):
        MethodConfig.from_dict({"lora": {"alpha": 3}})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"first_step": "some"}, "first_step .* got 'some'"),
        ({"sgen_rule": "median"}, "sgen_rule .* got 'median'"),
        ({"head_trainable": "yes"}, "head_trainable .* got 'yes'"),
        ({"varsplit_low": 0.8}, "varsplit_low must not exceed varsplit_high"),
        ({"varsplit_high": 1.5}, "varsplit_high .* got 1.5"),
    ],
)
def test_bad_values_name_field_and_value(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MethodConfig(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"r": 0}, "r must be a positive integer, got 0"),
        ({"lora_dropout": 1.0}, "lora_dropout .* got 1.0"),
        ({"target_modules": "q_proj"}, "target_modules must be a list"),
    ],
)
def test_bad_lora_values_name_field_and_value(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LoraSettings(**kwargs)
