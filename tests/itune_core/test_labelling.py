"""The intention predictor at run time: each edit labelled from its own sentence."""

import pytest
import torch
from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

from itune_core.edits import Edit, compute_edits
from itune_core.intentions import INTENTIONS
from itune_core.labelling import IntentionPredictor, suggest_intentions
from itune_core.model import EMBEDDED_MODEL
from itune_core.predictor import IntentionClassifier, prediction_prompt


def tiny_predictor(itune_home) -> IntentionPredictor:
    tokenizer = AutoTokenizer.from_pretrained(itune_home / "models" / EMBEDDED_MODEL)
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
    )
    classifier = IntentionClassifier(LlamaForCausalLM(config), len(INTENTIONS)).eval()
    return IntentionPredictor(classifier, tokenizer, INTENTIONS, batch_size=2)


@pytest.fixture(scope="module")
def predictor(itune_home):
    return tiny_predictor(itune_home)


def test_probabilities_are_a_distribution_per_pair(predictor):
    probs = predictor.probabilities([("a b", "a c"), ("x", "y"), ("long one", "long two")])
    assert len(probs) == 3
    for row in probs:
        assert set(row) == set(INTENTIONS)
        assert sum(row.values()) == pytest.approx(1.0, abs=1e-5)


def test_batching_does_not_change_the_probabilities(predictor):
    pairs = [("He go home.", "He went home."), ("A much longer sentence here.", "A long one.")]
    together = predictor.probabilities(pairs)
    alone = [predictor.probabilities([pair])[0] for pair in pairs]
    for a, b in zip(together, alone, strict=True):
        for label in INTENTIONS:
            assert a[label] == pytest.approx(b[label], abs=1e-5)


def test_edits_of_one_sentence_share_the_prompt_prefix_with_the_same_result(predictor):
    pairs = [
        ("He go home and she like it.", "He goes home and she like it."),
        ("He go home and she like it.", "He go home and she likes it."),
        ("He go home and she like it.", "He go home, and she like it."),
        ("Another one.", "Another."),
    ]
    shared = predictor.probabilities(pairs)
    for pair, got in zip(pairs, shared, strict=True):
        ids = predictor.tokenizer(prediction_prompt(*pair, predictor.labels))["input_ids"]
        with torch.inference_mode():
            want = predictor.classifier.predict_proba(
                torch.tensor([ids]), torch.ones((1, len(ids)), dtype=torch.long)
            )[0]
        assert [got[label] for label in predictor.labels] == pytest.approx(want.tolist(), abs=1e-5)


def test_the_instruction_every_prompt_starts_with_runs_once(itune_home):
    predictor = tiny_predictor(itune_home)
    decoder = predictor.classifier.model.get_decoder()
    fed = []
    hook = decoder.register_forward_pre_hook(
        lambda _m, args, kwargs: fed.append(kwargs["input_ids"].numel()), with_kwargs=True
    )
    pairs = [("He go home and she like it.", "He goes home and she like it.")] * 2
    prompt = len(predictor.tokenizer(prediction_prompt(*pairs[0], predictor.labels))["input_ids"])
    try:
        first = predictor.probabilities(pairs)
        before, fed[:] = sum(fed), []
        assert predictor.probabilities(pairs) == first
    finally:
        hook.remove()
    opening = len(predictor._opening[0])
    assert opening > 30  # "### Instruction: ... The possible intentions are: ..."
    assert before == opening + (prompt - opening - 1) + 2  # the opening ran once, at first
    assert sum(fed) == prompt - opening - 1 + 2  # then only the texts


def test_each_edit_is_judged_on_its_own_sentence_with_only_itself_applied(predictor, monkeypatch):
    source = "He go home. She like apples."
    revised = "He went home. She likes apples."
    edits = compute_edits(source, revised)
    seen = []

    def fake(pairs):
        seen.extend(pairs)
        return [{"clarity": 0.1, "fluency": 0.7, "coherence": 0.1, "style": 0.05,
                 "meaning-changed": 0.05}] * len(pairs)  # fmt: skip

    monkeypatch.setattr(predictor, "probabilities", fake)
    labelled = predictor.label_edits(source, revised, edits)
    assert seen == [("He go home.", "He went home."), ("She like apples.", "She likes apples.")]
    assert [(e.intention, e.confidence) for e in labelled] == [("fluency", 0.7)] * 2
    assert [(e.start_char_pos, e.end_char_pos) for e in labelled] == [
        (e.start_char_pos, e.end_char_pos) for e in edits
    ]


def test_edit_probabilities_are_those_of_each_edit_alone_in_its_sentence(predictor):
    source = "He go home. She like apples."
    edits = compute_edits(source, "He went home. She likes apples.")
    pairs = [("He go home.", "He went home."), ("She like apples.", "She likes apples.")]
    found = predictor.edit_probabilities(source, edits)
    for got, want in zip(found, predictor.probabilities(pairs), strict=True):
        assert got.keys() == want.keys()
        assert all(abs(got[k] - want[k]) < 1e-5 for k in want)
    assert predictor.edit_probabilities(source, []) == []


def test_revisions_labelled_together_get_the_labels_each_gets_alone(itune_home):
    """Several writers' revisions, one edit each, in one pass after the instruction: the
    labels and confidences those revisions get one by one."""
    predictor = tiny_predictor(itune_home)
    predictor.batch_size = 8
    revisions = [
        ("He go home.", "He went home."),
        ("She like apples very much.", "She likes apples very much."),
        ("It was a long day for every one of us.", "It was a long day for all of us."),
        ("They was late.", "They were late."),
    ]
    jobs = [(a, b, compute_edits(a, b), INTENTIONS) for a, b in revisions]
    alone = [predictor.label_edits(*job) for job in jobs]  # also runs the instruction once
    decoder = predictor.classifier.model.get_decoder()
    fed = []
    hook = decoder.register_forward_pre_hook(
        lambda _m, args, kwargs: fed.append(tuple(kwargs["input_ids"].shape)), with_kwargs=True
    )
    try:
        together = predictor.label_many(jobs)
    finally:
        hook.remove()
    edits = sum(len(job[2]) for job in jobs)
    assert len(fed) == 1 and fed[0][0] == edits  # every edit in one pass
    assert [len(t) for t in together] == [len(job[2]) for job in jobs]
    for got, want in zip(together, alone, strict=True):
        assert [(e.start_char_pos, e.intention) for e in got] == [
            (e.start_char_pos, e.intention) for e in want
        ]
        assert [e.confidence for e in got] == pytest.approx([e.confidence for e in want], abs=2e-4)
    assert predictor.label_many([]) == []


def test_each_edit_gets_the_likeliest_of_the_asked_intentions_scaled_among_them(
    predictor, monkeypatch
):
    source = "He go home. She like apples."
    edits = compute_edits(source, "He went home. She likes apples.")
    first = {"clarity": 0.2, "fluency": 0.3, "coherence": 0.5, "style": 0.0,
             "meaning-changed": 0.0}  # fmt: skip
    second = {"clarity": 0.1, "fluency": 0.0, "coherence": 0.1, "style": 0.4,
              "meaning-changed": 0.4}  # fmt: skip
    monkeypatch.setattr(predictor, "probabilities", lambda pairs: [first, second])
    every = predictor.label_edits(source, "", edits)
    assert [(e.intention, e.confidence) for e in every] == [("coherence", 0.5), ("style", 0.4)]
    asked = predictor.label_edits(source, "", edits, ("clarity", "fluency"))
    # 0.3 of the 0.5 the two asked intentions hold; 0.1 of 0.1
    assert [(e.intention, e.confidence) for e in asked] == [("fluency", 0.6), ("clarity", 1.0)]
    monkeypatch.setattr(predictor.classifier, "multi_label", True)  # sigmoids: not scaled
    asked = predictor.label_edits(source, "", edits, ("clarity", "fluency"))
    assert [(e.intention, e.confidence) for e in asked] == [("fluency", 0.3), ("clarity", 0.1)]


def test_labels_outside_the_app_intentions_are_ignored(predictor, monkeypatch):
    edit = Edit("R", "go", "went", 3, 5)
    monkeypatch.setattr(predictor, "probabilities", lambda pairs: [{"Evidence": 0.9}])
    assert predictor.label_edits("He go home.", "He went home.", [edit]) == [edit]


def test_suggestions_rank_intentions_by_their_most_confident_edit():
    edits = [
        Edit("R", "a", "b", 0, 1, "fluency", 0.6),
        Edit("R", "c", "d", 2, 3, "clarity", 0.9),
        Edit("R", "e", "f", 4, 5, "fluency", 0.8),
        Edit("R", "g", "h", 6, 7, None, None),
    ]
    assert suggest_intentions(edits) == [("clarity", 0.9), ("fluency", 0.8)]
    assert suggest_intentions(edits, threshold=0.85) == [("clarity", 0.9)]
