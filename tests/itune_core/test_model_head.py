"""The output head multiplies its input as one matrix product (``fold_head_input``)."""

import pytest
import torch
from torch.profiler import ProfilerActivity, profile

from itune_core.model import fold_head_input


def head_products(model, input_ids: torch.Tensor) -> tuple[torch.Tensor, list[str]]:
    """The logits of the last position and the names of the matrix-product ops whose
    inputs span the vocabulary, in one prompts' pass as ``Decoder._prefill`` runs it."""
    vocab = model.config.vocab_size
    with (
        torch.inference_mode(),
        profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof,
    ):
        logits = model(input_ids=input_ids, logits_to_keep=1).logits
    ops = [
        event.name
        for event in prof.events()
        if event.name in ("aten::mm", "aten::bmm", "aten::addmm")
        and any(shape and shape[-1] == vocab for shape in event.input_shapes)
    ]
    return logits, ops


@pytest.mark.parametrize("rows", [1, 3])
def test_a_frozen_head_gets_one_product_and_the_same_logits(make_base_model, rows):
    model = make_base_model().eval().requires_grad_(False)  # as PEFT leaves the base model
    input_ids = torch.randint(1, 128, (rows, 6), generator=torch.Generator().manual_seed(3))
    strided, strided_ops = head_products(model, input_ids)
    assert "aten::bmm" in strided_ops  # what torch does without the hook: row by row
    handle = fold_head_input(model)
    dense, dense_ops = head_products(model, input_ids)
    assert "aten::bmm" not in dense_ops and dense_ops  # one product over all rows
    torch.testing.assert_close(dense, strided)
    handle.remove()
    assert "aten::bmm" in head_products(model, input_ids)[1]


def test_a_dense_input_is_passed_through_as_it_is(make_base_model):
    model = make_base_model().eval().requires_grad_(False)
    fold_head_input(model)
    seen = []
    model.get_output_embeddings().register_forward_hook(lambda m, args, out: seen.append(args[0]))
    hidden = torch.randn(2, 4, model.config.hidden_size)
    model.get_output_embeddings()(hidden)
    assert seen[0] is hidden  # nothing copied when the product folds already
