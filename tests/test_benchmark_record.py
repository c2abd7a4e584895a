"""What every timing benchmark writes: its two files, a safe suffix, the head-fold table."""

import json

import pytest
import torch

from benchmarks import adapter_time, head_fold
from benchmarks.record import suffix, write
from itune_core.model import _dense_head_input
from tests.itune_core.conftest import TINY_LLAMA


def test_a_record_is_written_as_json_and_markdown(tmp_path):
    text = write(tmp_path / "new", "name_x", {"a": 1}, "# table\n")
    assert text == "# table\n"
    assert json.loads((tmp_path / "new" / "name_x.json").read_text()) == {"a": 1}
    assert (tmp_path / "new" / "name_x.md").read_text() == "# table\n"


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
    head_fold.set_hook(model, True)
    head_fold.set_hook(model, True)
    assert list(hooks.values()) == [_dense_head_input]
    head_fold.set_hook(model, False)
    assert not hooks
    assert model(input_ids=torch.tensor([[1, 2]])).logits.shape == (1, 2, 128)


def test_the_head_fold_table_gives_both_ways_and_their_ratio():
    on, off = head_fold.WAYS
    record = {
        "command": "python benchmarks/head_fold.py",
        "date": "2026-12-02 21:00 UTC",
        "machine": "x86_64, 2 CPUs",
        "settings": {"sentences": 10, "writers": 16, "repeats": 6},
        "median_s": {
            on: {"one sentence": 1.0, "paragraph": 4.0, "writers at once": 5.0},
            off: {"one sentence": 1.1, "paragraph": 6.0, "writers at once": 7.5},
        },
        "paragraph_over_sentence": {on: 4.0, off: 6.0 / 1.1},
        "same_answers": False,
    }
    text = head_fold.markdown(record)
    assert "| paragraph | 4.00 | 6.00 | 1.50 |" in text
    assert "| writers at once | 5.00 | 7.50 | 1.50 |" in text
    assert "| paragraph over one sentence | 4.00x | 5.45x | |" in text
    assert "Same answers both ways: **no**." in text
