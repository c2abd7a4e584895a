"""The adapter pool: adapters attached on first use, each request served by its own adapter,
bad folders refused without harm, labellers loaded lazily and kept for a few adapters."""

import copy
import json
import shutil
import threading
import time
from dataclasses import replace

import pytest
import torch
from peft import LoraConfig, PeftModel, get_peft_model
from tokenizers import Tokenizer, decoders, models, pre_tokenizers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

from itune_core.bundle import LABELLING
from itune_core.errors import ModelLoadError
from itune_core.gain_labels import GainLabeller
from itune_core.reviser import Reviser, ReviseSettings
from itune_core.serving import AdapterPool, _Gate

TEXT = "He go to school. She like apples."
# Keep whatever the tiny model answers (no similarity, fact, deletion or confidence guard):
# the outputs are compared, not judged, and random adapters write garbage.
SETTINGS = ReviseSettings(
    min_similarity=0.0,
    max_new_tokens=24,
    fact_guard=False,
    deletion_guard=False,
    min_edit_margin=None,
)


def byte_tokenizer() -> PreTrainedTokenizerFast:
    """A byte-level tokenizer built in memory (258 tokens: the bytes, <pad>, <eos>)."""
    vocab = {c: i for i, c in enumerate(sorted(pre_tokenizers.ByteLevel.alphabet()))}
    vocab["<pad>"], vocab["<eos>"] = len(vocab), len(vocab) + 1
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<eos>", pad_token="<pad>")


def tiny_base(tokenizer) -> LlamaForCausalLM:
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    return LlamaForCausalLM(config).eval()


def save_random_adapter(base, folder, seed: int) -> None:
    torch.manual_seed(seed)
    config = LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    get_peft_model(copy.deepcopy(base), config).save_pretrained(folder)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """A tiny base model, two saved adapters, and what each alone revises TEXT into."""
    folder = tmp_path_factory.mktemp("adapters")
    tokenizer = byte_tokenizer()
    base = tiny_base(tokenizer)
    for name, seed in (("a", 1), ("b", 2), ("c", 3)):
        save_random_adapter(base, folder / name, seed)

    def alone(name):  # a model holding only that adapter (None: no adapter at all)
        model = copy.deepcopy(base)
        if name is not None:
            model = PeftModel.from_pretrained(model, str(folder / name), adapter_name=name)
        reviser = Reviser(
            model.eval(), tokenizer, model_name="tiny", adapter_name=name, settings=SETTINGS
        )
        return reviser.revise(TEXT, ["fluency"]).revised

    expected = {name: alone(name) for name in (None, "a", "b", "c")}
    return base, tokenizer, folder, expected


def new_pool(setup, **kwargs) -> AdapterPool:
    base, tokenizer, _, _ = setup
    return AdapterPool(
        copy.deepcopy(base), tokenizer, model_name="tiny", settings=SETTINGS, **kwargs
    )


def test_the_adapters_really_change_the_revision(setup):
    *_, expected = setup
    assert len(set(expected.values())) == 4, expected


def test_each_reviser_revises_with_its_own_adapter(setup):
    _, _, folder, expected = setup
    pool = new_pool(setup)
    base_reviser = pool.reviser_for(None, None)  # made before anything is attached
    assert pool.attached == ()
    a = pool.reviser_for("a", folder / "a")
    b = pool.reviser_for("b", folder / "b")
    assert pool.attached == ("a", "b")
    for name, reviser in (("b", b), (None, base_reviser), ("a", a), ("b", b)):
        revision = reviser.revise(TEXT, ["fluency"])
        assert revision.revised == expected[name], name
        assert revision.adapter == name


def test_each_reviser_scores_edits_with_its_own_adapter(setup):
    base, tokenizer, folder, _ = setup
    pool = new_pool(setup)
    pooled = {name: pool.reviser_for(name, folder / name) for name in ("a", "b")}
    answers = ["He goes to school.", "He go to school."]

    def scores(reviser, name):
        row = reviser.decoder.row("He go to school.", ("fluency",), name)
        return reviser.decoder.scorer(row)(answers)

    for name in ("a", "b"):
        model = PeftModel.from_pretrained(
            copy.deepcopy(base), str(folder / name), adapter_name=name
        )
        alone = Reviser(model.eval(), tokenizer, model_name="tiny", adapter_name=name)
        assert scores(pooled[name], name) == pytest.approx(scores(alone, name), abs=1e-5), name
    assert scores(pooled["a"], "a") != pytest.approx(scores(pooled["b"], "b"), abs=1e-5)


def test_a_named_adapter_is_attached_once_and_reused(setup):
    _, _, folder, expected = setup
    pool = new_pool(setup)
    first = pool.reviser_for("a", folder / "a")
    model = pool.model
    again = pool.reviser_for("a", folder / "a")
    assert pool.attached == ("a",) and pool.model is model
    assert again.adapter_name == first.adapter_name == "a"
    assert pool.reviser_for("a", None).revise(TEXT, ["fluency"]).revised == expected["a"]


def test_a_corrupt_adapter_is_refused_and_the_others_still_serve(setup, tmp_path):
    _, _, folder, expected = setup
    pool = new_pool(setup)
    pool.reviser_for("a", folder / "a")
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("adapter_config.json", "adapter_model.safetensors"):
        (broken / name).write_bytes((folder / "b" / name).read_bytes())
    (broken / "adapter_model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(ModelLoadError, match=r"'broken' cannot be served.*not a readable"):
        pool.reviser_for("broken", broken)
    with pytest.raises(ModelLoadError, match="does not exist"):
        pool.reviser_for("missing", tmp_path / "missing")
    assert pool.attached == ("a",)
    assert not any(".broken" in name for name, _ in pool.model.named_parameters())
    assert pool.reviser_for("a", folder / "a").revise(TEXT, ["fluency"]).revised == expected["a"]
    assert pool.reviser_for("b", folder / "b").revise(TEXT, ["fluency"]).revised == expected["b"]


def test_an_adapter_of_another_base_model_is_refused_and_leaves_the_model_plain(setup, tmp_path):
    _, tokenizer, folder, expected = setup
    torch.manual_seed(0)
    wider = LlamaForCausalLM(
        LlamaConfig(
            vocab_size=len(tokenizer),
            hidden_size=64,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
        )
    )
    save_random_adapter(wider, tmp_path / "wide", seed=1)
    pool = new_pool(setup)
    # The first attach: PEFT has wrapped the model's layers before the weights fail to fit.
    with pytest.raises(ModelLoadError, match="size mismatch"):
        pool.reviser_for("wide", tmp_path / "wide")
    assert not any("lora" in name for name, _ in pool.model.named_modules())
    assert pool.reviser_for(None).revise(TEXT, ["fluency"]).revised == expected[None]
    pool.reviser_for("a", folder / "a")
    with pytest.raises(ModelLoadError, match="size mismatch"):
        pool.reviser_for("wide", tmp_path / "wide")
    assert pool.attached == ("a",)
    assert pool.reviser_for("a").revise(TEXT, ["fluency"]).revised == expected["a"]
    assert pool.reviser_for(None).revise(TEXT, ["fluency"]).revised == expected[None]


def test_a_name_already_attached_from_another_folder_is_refused(setup):
    _, _, folder, _ = setup
    pool = new_pool(setup)
    pool.reviser_for("a", folder / "a")
    with pytest.raises(ModelLoadError, match="already attached from"):
        pool.reviser_for("a", folder / "b")


def test_concurrent_requests_with_different_adapters_get_their_own(setup):
    _, _, folder, expected = setup
    pool = new_pool(setup)
    pool.reviser_for("a", folder / "a")
    results: list[tuple[str | None, str]] = []
    errors: list[BaseException] = []

    def revise(name, times):
        try:
            for _ in range(times):
                reviser = pool.reviser_for(name, None if name is None else folder / name)
                results.append((name, reviser.revise(TEXT, ["fluency"]).revised))
        except BaseException as err:  # reported by the main thread below
            errors.append(err)

    # "c" is attached while the others are generating.
    threads = [threading.Thread(target=revise, args=(n, 3)) for n in ("a", None, "a", "c")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(results) == 12
    for name, revised in results:
        assert revised == expected[name], name


def test_an_attach_waits_for_running_generations_and_holds_new_ones():
    gate = _Gate()
    events: list[str] = []
    generating = gate.generating("a")
    generating.__enter__()

    def attach():
        with gate.attaching():
            events.append("attach")
            time.sleep(0.05)
            events.append("attached")

    def generate_b():
        with gate.generating("b"):
            events.append("b")

    attacher = threading.Thread(target=attach)
    attacher.start()
    time.sleep(0.05)
    other = threading.Thread(target=generate_b)
    other.start()
    time.sleep(0.05)
    assert events == []  # both wait for the generation with "a"
    generating.__exit__(None, None, None)
    attacher.join(5)
    other.join(5)
    assert events == ["attach", "attached", "b"]


def test_generations_with_the_same_adapter_share_and_others_wait():
    gate = _Gate()
    first = gate.generating("a")
    first.__enter__()
    entered = threading.Event()

    def same():
        with gate.generating("a"):
            entered.set()

    def different():
        with gate.generating("b"):
            entered.set()

    thread = threading.Thread(target=same)
    thread.start()
    assert entered.wait(5)  # "a" joined the running "a"
    thread.join(5)
    entered.clear()
    thread = threading.Thread(target=different)
    thread.start()
    assert not entered.wait(0.1)  # "b" waits for "a" to finish
    first.__exit__(None, None, None)
    assert entered.wait(5)
    thread.join(5)


def test_the_labeller_runs_only_for_several_intentions_and_is_told_which(setup):
    """One intention asked: each edit carries it, no predictor pass. Several: the labeller
    is handed them, to choose among."""
    base, tokenizer, _, expected = setup
    assert expected[None] != TEXT  # the tiny model changes the text: there are edits
    asked = []

    def labeller(source, revised, edits, intentions):
        asked.append(intentions)
        return [replace(e, intention=intentions[-1], confidence=0.75) for e in edits]

    reviser = Reviser(base, tokenizer, model_name="tiny", settings=SETTINGS, labeller=labeller)
    one = reviser.revise(TEXT, ["coherence"])
    assert one.edits and asked == []
    assert {(e.intention, e.confidence) for e in one.edits} == {("coherence", None)}
    two = reviser.revise(TEXT, ["fluency", "clarity"])
    assert two.edits and asked == [("clarity", "fluency")]  # in the app's order
    assert {(e.intention, e.confidence) for e in two.edits} == {("fluency", 0.75)}


def test_labellers_load_once_per_adapter_and_only_a_few_stay(setup):
    _, _, folder, _ = setup
    loads: list[str] = []

    def load(path):
        loads.append(path.name)
        return None if path.name == "c" else (lambda source, revised, edits, among: edits)

    pool = new_pool(setup, load_labeller=load, max_labellers=1)

    def labeller(name):  # the loaded labeller (revisers call it through the scheduler)
        wrapped = pool.reviser_for(name, folder / name if name else None).labeller
        return None if wrapped is None else wrapped.args[0]

    assert labeller(None) is None
    first = labeller("a")
    assert first is not None and labeller("a") is first
    assert labeller("c") is None
    assert labeller("c") is None
    assert labeller("b") is not None  # "a" makes way
    assert labeller("a") is not first
    assert loads == ["a", "c", "b", "a"]


def test_an_adapter_with_labelling_biases_labels_by_its_own_likelihood(setup, tmp_path):
    """A folder with ``labelling.json`` gets a GainLabeller on the shared model, run by the
    scheduler; its predictor is never loaded. Its edits carry one of the asked intentions."""
    _, _, folder, _ = setup
    shutil.copytree(folder / "a", tmp_path / "a")
    bias = {"clarity": 0.0, "fluency": 1.0, "coherence": -1.0, "style": -2.0,
            "meaning-changed": 0.0}  # fmt: skip
    (tmp_path / "a" / LABELLING).write_text(json.dumps({"bias": bias}))
    loads: list[str] = []
    pool = new_pool(setup, load_labeller=lambda path: loads.append(path.name))
    reviser = pool.reviser_for("a", tmp_path / "a")
    assert isinstance(reviser.labeller, GainLabeller)
    assert reviser.labeller.run == pool.scheduler.call  # its scoring runs between passes
    revision = reviser.revise(TEXT, ["fluency", "clarity"])
    assert revision.edits  # the random adapter rewrites the text
    assert {e.intention for e in revision.edits} <= {"fluency", "clarity"}
    assert all(0.5 <= e.confidence <= 1.0 for e in revision.edits)
    assert loads == []
    pool.reviser_for("b", folder / "b")  # no biases: its predictor is loaded
    assert loads == ["b"]


def test_rows_of_the_only_adapter_attached_go_without_adapter_names(setup):
    """PEFT applies its only adapter to rows that name none: the pool's calls leave the
    names out then (``sole_adapter``), and the answers are those the split call gives."""
    _, _, folder, expected = setup
    pool = new_pool(setup)
    a, base = pool.reviser_for("a", folder / "a"), pool.reviser_for(None, None)
    named: list[bool] = []
    handle = pool.model.register_forward_pre_hook(
        lambda _m, _args, kwargs: named.append("adapter_names" in kwargs), with_kwargs=True
    )
    try:
        assert a.revise(TEXT, ["fluency"]).revised == expected["a"]
        assert named and not any(named)
        named.clear()
        assert base.revise(TEXT, ["fluency"]).revised == expected[None]  # the base is named
        assert named and all(named)
        named.clear()
        pool.reviser_for("b", folder / "b")
        assert a.revise(TEXT, ["fluency"]).revised == expected["a"]  # two: every row named
        assert named and all(named)
    finally:
        handle.remove()
