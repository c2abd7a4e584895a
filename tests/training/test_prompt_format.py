"""The prompt format travels with its adapter: a run trained with ``--prompt-format tagged``
learns on tagged prompts, records the format in its lineage, and is served and scored with
it (the app's adapter pool, ``evaluate``'s decoder), while the base model and every other
adapter keep the chat prompt; a child of a tagged run stays tagged, runs of two formats are
not averaged, and a format this version does not know is refused before anything loads."""

import json
import shutil
from pathlib import Path

import pytest
import torch
from transformers import AutoTokenizer

from itune_core.bundle import LINEAGE, AdapterBundle
from itune_core.decoding import Decoder
from itune_core.errors import ModelLoadError
from itune_core.model import load_model
from itune_core.prompts import (
    PromptFormat,
    check_prompt_format,
    generation_prompt,
    prompt_token_ids,
)
from itune_core.reviser import ReviseSettings
from itune_core.serving import AdapterPool
from training import cli
from training.batching import IGNORE_INDEX, encode_revision_example
from training.data import RevisionExample
from training.generation import BatchReviser

BEFORE, AFTER = "He go to school.", "He goes to school."


@pytest.fixture(scope="module")
def tiny(save_tiny_llama) -> Path:
    return save_tiny_llama(4)


@pytest.fixture(scope="module")
def tokenizer(tiny):
    return AutoTokenizer.from_pretrained(tiny)


def _train(tiny, data, output, *extra: str) -> int:
    argv = ["train", "--data", str(data), "--output", str(output), "--model", str(tiny)]
    argv += ["--batch-size", "2", "--max-length", "96", "--max-steps", "2", "--lora-r", "4"]
    return cli.main([*argv, *extra])


@pytest.fixture(scope="module")
def runs(tiny, tmp_path_factory) -> dict[str, Path]:
    """A tagged intention-tuning run, a chat one, and a child of the tagged run that did
    not ask for a format."""
    root = tmp_path_factory.mktemp("formats")
    data = root / "d.jsonl"
    pairs = [(BEFORE, AFTER, "fluency"), ("It are red.", "It is red.", "fluency"),
             ("We use it a lot.", "We use it often.", "clarity")]  # fmt: skip
    rows = [{"before_sent": b, "after_sent": a, "labels": label} for b, a, label in pairs]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    method = ("--method", "intention-tuning")
    assert _train(tiny, data, root / "tagged", *method, "--prompt-format", "tagged") == 0
    assert _train(tiny, data, root / "chat", *method) == 0
    child = ("--init-from", str(root / "tagged"), "--lr", "0.01")
    assert _train(tiny, data, root / "child", *method, *child) == 0
    return {"tagged": root / "tagged", "chat": root / "chat", "child": root / "child", "data": data}


def test_a_tagged_prompt_puts_the_intentions_as_tags_before_the_text():
    assert generation_prompt(BEFORE, ["fluency", "clarity"], "tagged") == (
        "<fluency> <clarity> He go to school."
    )
    assert generation_prompt(BEFORE, ["fluency"]) == (
        "Revise the text for: fluency.\n\nHe go to school."
    )


@pytest.mark.parametrize("value", ["", "Chat", "json", None, 1])
def test_an_unknown_format_is_refused_naming_the_formats(value):
    with pytest.raises(ValueError, match="chat, tagged"):
        check_prompt_format(value)
    with pytest.raises(ValueError, match="chat, tagged"):
        generation_prompt(BEFORE, ["fluency"], value)


def test_a_tagged_example_trains_on_exactly_the_prompt_the_decoder_feeds(tokenizer):
    example = RevisionExample(BEFORE, AFTER, ("fluency",), "x")
    encoded = encode_revision_example(tokenizer, example, 96, prompt_format="tagged")
    prompt = prompt_token_ids(tokenizer, BEFORE, ["fluency"], "tagged")
    assert tokenizer.decode(prompt) == "<fluency> He go to school.\n\n"  # no chat template
    assert encoded["input_ids"][: len(prompt)] == prompt
    assert encoded["labels"][: len(prompt)] == [IGNORE_INDEX] * len(prompt)
    answer = encoded["labels"][len(prompt) :]
    assert tokenizer.decode(answer) == AFTER + tokenizer.eos_token
    chat = prompt_token_ids(tokenizer, BEFORE, ["fluency"])
    assert len(prompt) < len(chat) and "<|im_start|>" in tokenizer.decode(chat)


def test_the_run_records_its_format_and_a_child_keeps_its_parents(runs):
    hyper = AdapterBundle.read(runs["tagged"]).lineage["hyperparameters"]
    assert hyper["prompt_format"] == "tagged"
    assert AdapterBundle.read(runs["tagged"]).prompt_format is PromptFormat.TAGGED
    assert AdapterBundle.read(runs["chat"]).prompt_format is PromptFormat.CHAT
    assert AdapterBundle.read(runs["child"]).prompt_format is PromptFormat.TAGGED


def test_a_lineage_without_a_format_is_a_chat_adapter(runs, tmp_path):
    old = shutil.copytree(runs["chat"], tmp_path / "old")
    lineage = json.loads((old / LINEAGE).read_text(encoding="utf-8"))
    del lineage["hyperparameters"]["prompt_format"]
    (old / LINEAGE).write_text(json.dumps(lineage), encoding="utf-8")
    assert AdapterBundle.read(old).prompt_format is PromptFormat.CHAT


def _load(tiny, tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    return load_model(str(tiny), cache_dir=cache, device=torch.device("cpu"), dtype=torch.float32)


def _pool(tiny, tmp_path_factory) -> AdapterPool:
    loaded = _load(tiny, tmp_path_factory)
    return AdapterPool(loaded.model, loaded.tokenizer, model_name="tiny")


def test_the_pool_prompts_each_adapter_in_its_own_format(runs, tiny, tokenizer, tmp_path_factory):
    pool = _pool(tiny, tmp_path_factory)
    for name in ("tagged", "chat"):
        pool.reviser_for(name, runs[name])
    row = pool.scheduler.row
    assert row(BEFORE, ["fluency"], "tagged").prompt == tuple(
        prompt_token_ids(tokenizer, BEFORE, ["fluency"], "tagged")
    )
    chat = tuple(prompt_token_ids(tokenizer, BEFORE, ["fluency"]))
    assert row(BEFORE, ["fluency"], "chat").prompt == chat
    assert row(BEFORE, ["fluency"], None).prompt == chat  # the base model
    tagged = row(BEFORE, ["fluency"], "tagged")
    assert 0 < tagged.instruction < len(tagged.prompt)
    assert tokenizer.decode(tagged.prompt[: tagged.instruction]) == "<fluency>"
    # Both adapters answer from the one pool, each through its own format's rows.
    for name in ("tagged", "chat"):
        assert pool.reviser_for(name).revise(BEFORE, ["fluency"]).adapter == name


def test_an_unknown_format_in_a_lineage_is_refused_before_attaching(
    runs, tiny, tmp_path, tmp_path_factory
):
    odd = shutil.copytree(runs["tagged"], tmp_path / "odd")
    lineage = json.loads((odd / LINEAGE).read_text(encoding="utf-8"))
    lineage["hyperparameters"]["prompt_format"] = "xml"
    (odd / LINEAGE).write_text(json.dumps(lineage), encoding="utf-8")
    pool = _pool(tiny, tmp_path_factory)
    with pytest.raises(ModelLoadError, match="prompt_format"):
        pool.reviser_for("odd", odd)
    assert pool.attached == ()


def test_evaluates_decoder_prompts_the_active_adapter_in_its_format(
    runs, tiny, tokenizer, tmp_path_factory
):
    from peft import PeftModel

    loaded = _load(tiny, tmp_path_factory)
    model = PeftModel.from_pretrained(loaded.model, str(runs["tagged"]), adapter_name="x")
    reviser = BatchReviser(model.eval(), tokenizer, ReviseSettings(), PromptFormat.TAGGED)
    [row] = reviser.rows([(BEFORE, ("fluency",))])
    assert row.prompt == tuple(prompt_token_ids(tokenizer, BEFORE, ["fluency"], "tagged"))
    plain = BatchReviser(
        _load(tiny, tmp_path_factory).model, tokenizer, ReviseSettings(), PromptFormat.TAGGED
    )
    [row] = plain.rows([(BEFORE, ("fluency",))])  # no adapter: the base model's chat prompt
    assert row.prompt == tuple(prompt_token_ids(tokenizer, BEFORE, ["fluency"]))


def test_the_decoder_refuses_an_unknown_format(tiny, tokenizer, tmp_path_factory):
    decoder = Decoder(_load(tiny, tmp_path_factory).model, tokenizer)
    with pytest.raises(ValueError, match="chat, tagged"):
        decoder.use_prompt_format("a", "xml")
    assert decoder.prompt_format("a") is PromptFormat.CHAT


def test_runs_of_two_formats_are_not_averaged(runs, tmp_path, capsys):
    out = tmp_path / "mean"
    argv = ["average", str(runs["tagged"]), str(runs["child"]), "--output", str(out)]
    twin = shutil.copytree(runs["child"], tmp_path / "twin")
    lineage = json.loads((twin / LINEAGE).read_text(encoding="utf-8"))
    lineage["hyperparameters"]["prompt_format"] = "chat"
    (twin / LINEAGE).write_text(json.dumps(lineage), encoding="utf-8")
    assert cli.main([*argv[:2], str(twin), *argv[3:]]) == 1
    assert "prompt formats" in capsys.readouterr().err
    assert not out.exists()
    assert cli.main(argv) == 0  # the tagged parent and its tagged child do average
    assert AdapterBundle.read(out).prompt_format is PromptFormat.TAGGED


def test_evaluate_scores_a_tagged_run_in_its_format(runs, tmp_path, itune_home):
    report = tmp_path / "report.json"
    argv = ["evaluate", str(runs["tagged"]), "--data", str(runs["data"]), "--limit", "2"]
    argv += ["--dtype", "float32", "--output", str(report), "--home", str(itune_home)]
    assert cli.main(argv) == 0
    generation = json.loads(report.read_text(encoding="utf-8"))["generation"]
    assert generation["prompt_format"] == "tagged"
    assert "tagged format" in generation["prompt"]
