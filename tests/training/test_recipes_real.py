"""The recipe on the embedded SmolLM2-135M-Instruct, for real: a few steps lower the loss
and the saved adapter changes the model it is loaded into."""

import json

import pytest
import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

from itune_core.model import EMBEDDED_MODEL

pytestmark = pytest.mark.real_model


@pytest.fixture(scope="module")
def run(embedded_run):
    return embedded_run


def test_a_few_real_steps_lower_the_generation_loss(run):
    lines = [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines()]
    losses = [line["loss"] for line in lines if line["stage"] == 2]
    assert len(losses) == 6
    assert losses[-1] < 0.8 * losses[0]


def test_the_real_adapter_covers_s_gen_of_30_blocks_and_changes_the_model(run, itune_home):
    selection = json.loads((run / "selection.json").read_text())
    assert selection["num_blocks"] == 30
    assert 10 <= len(selection["stage1"]["history"][-1]["selected"]) <= 19
    location = itune_home / "models" / EMBEDDED_MODEL
    tokenizer = AutoTokenizer.from_pretrained(location)
    ids = tokenizer("He go to school yesterday.", return_tensors="pt")["input_ids"]
    base = AutoModelForCausalLM.from_pretrained(location, dtype=torch.float32)
    with torch.no_grad():
        plain = base(ids).logits
        tuned = PeftModel.from_pretrained(base, run)(ids).logits
    assert not torch.allclose(plain, tuned, atol=1e-4)
