"""The recipe on the embedded SmolLM2-135M-Instruct, for real: a few steps lower the loss
and the saved adapter changes the model it is loaded into."""

import json

import pytest
import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

from itune_core.model import EMBEDDED_MODEL
from training import cli

pytestmark = pytest.mark.real_model

ROWS = [
    ("He go to school yesterday.", "He went to school yesterday.", "fluency"),
    ("The result are good.", "The results are good.", "fluency"),
    ("We uses a method that is new.", "We use a new method.", "clarity"),
    ("She dont like apple.", "She does not like apples.", "fluency"),
]


@pytest.fixture(scope="module")
def run(itune_home, tmp_path_factory):
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
