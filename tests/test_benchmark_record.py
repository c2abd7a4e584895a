"""What every timing benchmark writes: its two files, a safe suffix; the model-calls table."""

import json

import pytest
import torch

import itune_core.decoding
from benchmarks import adapter_time, model_calls
from benchmarks.record import cpu_description, machine_facts, suffix, write
from itune_core.adapters import sole_adapter
from itune_core.decoding import Decoder
from itune_core.model import dense_head_input
from tests.itune_core.conftest import TINY_LLAMA


@pytest.fixture
def make_tiny_peft(monkeypatch):
    """A tiny Llama holding one LoRA adapter, ``a``; the decoder's ``sole_adapter`` is put
    back after the test."""
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaConfig, LlamaForCausalLM

    monkeypatch.setattr(itune_core.decoding, "sole_adapter", sole_adapter)
    monkeypatch.setattr(Decoder, "_instruction_length", Decoder._instruction_length)

    def make():
        base = LlamaForCausalLM(LlamaConfig(**TINY_LLAMA))
        return get_peft_model(base, LoraConfig(target_modules=["q_proj"]), adapter_name="a")

    return make


def test_a_record_is_written_as_json_and_markdown(tmp_path):
    text = write(tmp_path / "new", "name_x", {"a": 1}, "# table\n")
    assert text == "# table\n"
    assert json.loads((tmp_path / "new" / "name_x.json").read_text()) == {"a": 1}
    assert (tmp_path / "new" / "name_x.md").read_text() == "# table\n"


def test_the_machine_facts_hold_what_the_tables_read_and_go_into_json():
    facts = json.loads(json.dumps(machine_facts()))
    # The quality, ablation and training-efficiency tables read these fields.
    for field in ("cpu", "cpu_count", "torch", "gpu", "omp_wait_policy"):
        assert field in facts
    assert facts["cpu_count"] >= 1 and facts["torch"] == torch.__version__
    assert facts["cpu_description"] == cpu_description()


@pytest.mark.parametrize("bad", ["../x", "a/b", "a b", "x.md"])
def test_a_suffix_that_could_name_a_path_is_refused(bad, capsys):
    with pytest.raises(SystemExit) as exit_:
        adapter_time.main(["a", "b", "--suffix", bad])
    assert exit_.value.code == 2
    assert "letters, digits" in capsys.readouterr().err


def test_a_plain_suffix_is_kept():
    assert suffix("step4-b_2") == "step4-b_2"


def test_the_head_hook_is_put_on_once_and_taken_off():
    from transformers import LlamaConfig, LlamaForCausalLM

    model = LlamaForCausalLM(LlamaConfig(**TINY_LLAMA))
    hooks = model.get_output_embeddings()._forward_pre_hooks
    model_calls.set_hook(model, True)
    model_calls.set_hook(model, True)
    assert list(hooks.values()) == [dense_head_input]
    model_calls.set_hook(model, False)
    assert not hooks
    assert model(input_ids=torch.tensor([[1, 2]])).logits.shape == (1, 2, 128)


def test_a_way_undoes_its_choice_and_the_served_way_restores_both(make_tiny_peft):
    model = make_tiny_peft()
    hooks = model.get_output_embeddings()._forward_pre_hooks
    model_calls.set_way(model, "head input strided")
    assert not hooks and itune_core.decoding.sole_adapter(model) == "a"
    model_calls.set_way(model, "every row named")
    assert list(hooks.values()) == [dense_head_input]
    assert itune_core.decoding.sole_adapter(model) is None
    assert Decoder._instruction_length is model_calls.INSTRUCTION_LENGTH
    model_calls.set_way(model, "instruction run each call")
    assert Decoder._instruction_length(None, (1, 2), ["fluency"]) == 0
    assert itune_core.decoding.sole_adapter(model) == "a"
    model_calls.set_way(model, model_calls.SERVED)
    assert list(hooks.values()) == [dense_head_input]
    assert itune_core.decoding.sole_adapter(model) == "a"
    assert Decoder._instruction_length is model_calls.INSTRUCTION_LENGTH


def test_the_model_calls_table_gives_each_way_beside_the_served_one():
    served, strided, named, _ = model_calls.WAYS
    med = {
        served: {"one sentence": 1.0, "paragraph": 4.0, "writers at once": 5.0},
        strided: {"one sentence": 1.1, "paragraph": 6.0, "writers at once": 7.5},
        named: {"one sentence": 1.2, "paragraph": 4.4, "writers at once": 5.5},
    }
    record = {
        "command": "python benchmarks/model_calls.py",
        "date": "2026-12-02 21:00 UTC",
        "machine": "x86_64, 2 CPUs",
        "settings": {"sentences": 10, "writers": 16, "repeats": 6, "same_answers": 100},
        "median_s": med,
        "paragraph_over_sentence": {w: med[w]["paragraph"] / med[w]["one sentence"] for w in med},
        "same_answers": {strided: True, named: False},
        "dev_answers_differ": {strided: 0, named: 9},
    }
    text = model_calls.markdown(record)
    assert "| paragraph | 4.00 | 6.00 | 1.50 | 4.40 | 1.10 |" in text
    assert "| writers at once | 5.00 | 7.50 | 1.50 | 5.50 | 1.10 |" in text
    assert "| paragraph over one sentence | 4.00x | 5.45x |  | 3.67x |  |" in text
    assert f"- {strided}: yes" in text and f"- {named}: **no**" in text
    assert "differ from served: head input strided 0, every row named 9." in text
