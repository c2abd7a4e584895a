"""The intention classifier: prompt text, last-token pooling and the two losses."""

import pytest
import torch
import torch.nn.functional as F

from itune_core.predictor import IntentionClassifier, last_token_index, prediction_prompt


def test_prediction_prompt_text():
    prompt = prediction_prompt("A cat sat.", "The cat sat.", ["clarity", "fluency"])
    assert prompt == (
        "### Instruction: Identify the intention of the revision between the original text "
        "and the revised text. The possible intentions are: clarity, fluency.\n"
        "### Original: A cat sat.\n### Revised: The cat sat."
    )


def test_last_token_index_right_and_left_padding():
    mask = torch.tensor([[1, 1, 1, 0, 0], [0, 0, 1, 1, 1], [1, 1, 1, 1, 1]])
    assert last_token_index(mask).tolist() == [2, 4, 4]


def test_last_token_index_rejects_empty_row():
    with pytest.raises(ValueError, match="at least one real token"):
        last_token_index(torch.tensor([[1, 1], [0, 0]]))


def test_pooling_ignores_padding_side(make_lora_model):
    classifier = IntentionClassifier(make_lora_model(), 3).eval()
    tokens = torch.tensor([[5, 17, 42, 9]])
    pad = torch.zeros(1, 2, dtype=torch.long)
    ones, zeros = torch.ones(1, 4, dtype=torch.long), torch.zeros(1, 2, dtype=torch.long)
    plain, _ = classifier(tokens, ones)
    right, _ = classifier(torch.cat([tokens, pad], 1), torch.cat([ones, zeros], 1))
    left, _ = classifier(torch.cat([pad, tokens], 1), torch.cat([zeros, ones], 1))
    # Rotary attention depends on relative positions only, so the left shift cancels out.
    torch.testing.assert_close(right, plain, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(left, plain, atol=1e-5, rtol=1e-5)


def test_single_label_loss_is_cross_entropy(make_lora_model, token_batch):
    classifier = IntentionClassifier(make_lora_model(), 3).eval()
    labels = torch.tensor([0, 2, 1, 2])
    logits, loss = classifier(**token_batch, labels=labels)
    assert logits.shape == (4, 3)
    torch.testing.assert_close(loss, F.cross_entropy(logits, labels))
    proba = classifier.predict_proba(**token_batch)
    torch.testing.assert_close(proba.sum(dim=-1), torch.ones(4))


def test_multi_label_loss_is_bce_and_predictions_threshold(make_lora_model, token_batch):
    classifier = IntentionClassifier(make_lora_model(), 3, multi_label=True).eval()
    labels = torch.tensor([[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]], dtype=torch.float32)
    logits, loss = classifier(**token_batch, labels=labels)
    torch.testing.assert_close(loss, F.binary_cross_entropy_with_logits(logits, labels))
    predicted = classifier.predict(**token_batch)
    assert predicted.dtype == torch.bool
    assert torch.equal(predicted, torch.sigmoid(logits) >= 0.5)


def test_wrong_label_shape_raises(make_lora_model, token_batch):
    classifier = IntentionClassifier(make_lora_model(), 3, multi_label=True)
    with pytest.raises(ValueError, match="multi-label targets"):
        classifier(**token_batch, labels=torch.tensor([0, 1, 2, 0]))


def test_head_can_be_frozen(make_lora_model):
    classifier = IntentionClassifier(make_lora_model(), 3, train_head=False)
    assert not classifier.head.weight.requires_grad


def test_state_dict_holds_the_model_once(make_lora_model):
    classifier = IntentionClassifier(make_lora_model(), 3)
    keys = classifier.state_dict().keys()
    assert {k.split(".")[0] for k in keys} == {"model", "head"}
