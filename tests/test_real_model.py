"""The embedded model, for real: it loads from its cached conversion and revises."""

import re
import threading

import pytest
import torch

from itune_core.errors import ModelLoadError
from itune_core.model import load_model
from itune_core.reviser import Reviser

pytestmark = pytest.mark.real_model

WORD = re.compile(r"\w+")


def test_embedded_model_is_a_30_block_llama(embedded):
    assert embedded.name == "smollm2-135m-instruct"
    assert len(embedded.model.model.layers) == 30
    assert embedded.tokenizer.chat_template


def test_grammar_error_is_revised_into_a_different_well_formed_sentence(embedded):
    reviser = Reviser(embedded.model, embedded.tokenizer, model_name=embedded.name)
    source = "He go to school yesterday and he buyed a apple."
    revision = reviser.revise(source, ["fluency"])
    revised = revision.revised
    assert revised != source
    assert revised[0].isupper() and revised.endswith(".")
    assert "\n" not in revised
    # A revision, not a new text: most of the words are kept and it is about as long.
    kept = set(WORD.findall(source.lower())) & set(WORD.findall(revised.lower()))
    assert len(kept) >= 6
    assert 0.5 < len(revised) / len(source) < 1.6
    assert "buyed" not in revised
    assert all(e.intention == "fluency" for e in revision.edits) and revision.edits


def test_a_document_is_revised_piece_by_piece_without_truncation(embedded):
    reviser = Reviser(embedded.model, embedded.tokenizer, model_name=embedded.name)
    source = (
        "Our method achieve good result on three dataset.\n\n"
        "It are also fast. We releases the code."
    )
    updates = list(reviser.stream(source, ["fluency"]))
    assert [u.pieces_done for u in updates[:-1]] == [0, 1, 2, 3]
    assert all(u.pieces_total == 3 for u in updates)
    revised = updates[-1].revision.revised
    assert revised.count("\n\n") == 1  # the paragraph break survives
    assert len(re.findall(r"[.!?](\s|$)", revised)) >= 3  # every sentence is there


def test_streaming_shows_each_sentence_as_it_completes(embedded):
    reviser = Reviser(embedded.model, embedded.tokenizer, model_name=embedded.name)
    source = "She dont like apples. He go to school."
    updates = list(reviser.stream(source, ["fluency"]))
    assert updates[0].text == source and updates[0].pieces_done == 0  # shown at once
    assert [u.pieces_done for u in updates] == [0, 1, 2, 2]
    assert all(u.revision is None for u in updates[:-1]) and updates[-1].revision is not None
    assert updates[-2].text == updates[-1].revision.revised


def test_a_missing_model_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ModelLoadError, match="cannot load model"):
        load_model(
            str(tmp_path / "nope"),
            cache_dir=tmp_path,
            device=torch.device("cpu"),
            dtype=torch.float32,
        )


def test_the_model_loads_in_several_threads_at_once(itune_home, embedded):
    """transformers swaps torch's init functions process-wide while it builds a model, and
    the app builds models from several threads: loads take turns (itune_core.build_lock).
    Without that, three loads at once all failed, and torch's init could stay disabled."""
    loaded, errors = [], []

    def load() -> None:
        try:
            loaded.append(
                load_model(
                    "embedded",
                    cache_dir=itune_home / "models",
                    device=torch.device("cpu"),
                    dtype=torch.float32,
                )
            )
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=load) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    reference = embedded.model.state_dict()
    for other in loaded:
        weights = other.model.state_dict()
        assert weights.keys() == reference.keys()
        assert all(torch.equal(weights[name], reference[name]) for name in reference)
    drawn = torch.zeros(64)
    torch.nn.init.normal_(drawn)
    assert drawn.abs().sum() > 0  # torch's init works again afterwards


def test_with_an_adapter_attached_the_head_still_multiplies_all_rows_at_once(itune_home):
    """Attaching an adapter leaves the base weights without gradients; the prompts' pass
    must still run the head as one product, not row by row against copies of its weight."""
    from peft import get_peft_model

    from itune_core.lora import lora_config
    from tests.itune_core.test_model_head import head_products

    loaded = load_model(
        "embedded", cache_dir=itune_home / "models", device=torch.device("cpu"), dtype=torch.float32
    )
    model = get_peft_model(loaded.model, lora_config()).eval()
    assert not model.get_output_embeddings().weight.requires_grad
    ids = loaded.tokenizer(["A short one.", "A second, longer sentence."], padding=True)
    logits, ops = head_products(model, torch.tensor(ids["input_ids"]))
    assert ops and "aten::bmm" not in ops
    assert logits.shape == (2, 1, model.config.vocab_size)
