"""The adapter bundle: what is saved reads back, plain PEFT folders read as bundles without
records, bad records are refused with their path, and the predictor answers as saved."""

import ast
import json
from pathlib import Path

import pytest
import torch

from itune_core import bundle as bundle_module
from itune_core.adapters import attach_adapter
from itune_core.bundle import AdapterBundle, PredictorInfo
from itune_core.predictor import IntentionClassifier

ROOT = Path(__file__).resolve().parents[2]
LABELS = ("clarity", "fluency", "coherence", "style", "meaning-changed")
SELECTION = {
    "num_blocks": 4,
    "method": "intention-tuning",
    "s_gen": [1, 3],
    "adapter_blocks": [1, 3],
    "alignment_ratio": 0.75,
    "stage1": {"G": [2, 9, 1, 7], "s_pre": [1, 3], "mean_selected": 2.0},
    "stage2": {"G": [0, 6, 0, 6], "dynamic": False},
}


def _bundle(make_lora_model, *, predictor: bool = True) -> AdapterBundle:
    classifier = IntentionClassifier(make_lora_model(1), len(LABELS)) if predictor else None
    return AdapterBundle(
        lineage={"base_model": "tiny", "method": "intention-tuning", "s_gen": [1, 3]},
        metrics={"stage2": {"steps": 3}},
        selection=SELECTION,
        predictor_info=PredictorInfo(LABELS, multi_label=False) if predictor else None,
        generation=make_lora_model(0),
        predictor=classifier,
    )


def test_a_saved_bundle_reads_back_its_records(make_lora_model, tmp_path):
    saved = _bundle(make_lora_model)
    saved.save(tmp_path / "run")
    read = AdapterBundle.read(tmp_path / "run", check=True)
    assert read.lineage == saved.lineage and read.metrics == saved.metrics
    assert read.selection == SELECTION
    assert read.predictor_info == PredictorInfo(LABELS, False, 0.5)
    assert AdapterBundle.is_finished(tmp_path / "run")
    assert AdapterBundle.has_generation_adapter(tmp_path / "run")
    assert read.require_records() == (saved.lineage, saved.metrics)
    assert read.predictor_key == str((tmp_path / "run" / "predictor").resolve())


def test_the_generation_adapter_is_the_folder_itself(make_lora_model, make_base_model, tmp_path):
    saved = _bundle(make_lora_model, predictor=False)
    saved.save(tmp_path / "run")
    ids = torch.tensor([[1, 2, 3, 4]])
    with torch.no_grad():
        expected = saved.generation(input_ids=ids).logits
        model = attach_adapter(make_base_model(0), tmp_path / "run", "gen")
        model.set_adapter("gen")
        assert torch.allclose(model(input_ids=ids).logits, expected, atol=1e-6)


def test_the_predictor_loads_and_answers_as_saved(make_lora_model, make_base_model, tmp_path):
    saved = _bundle(make_lora_model)
    saved.save(tmp_path / "run")
    ids, mask = torch.tensor([[5, 6, 7, 8]]), torch.ones(1, 4, dtype=torch.long)
    with torch.no_grad():
        expected = saved.predictor.eval().predict_proba(ids, mask)
        loaded = AdapterBundle.load(tmp_path / "run", make_base_model(1))
        assert torch.allclose(loaded.predictor.eval().predict_proba(ids, mask), expected, atol=1e-6)
        again = loaded.load_predictor(make_base_model(1), adapter_name="p0").eval()
        assert torch.allclose(again.predict_proba(ids, mask), expected, atol=1e-6)


def test_a_plain_peft_folder_is_a_bundle_without_records(
    make_lora_model, make_base_model, tmp_path
):
    make_lora_model(0).save_pretrained(tmp_path / "plain")
    plain = AdapterBundle.read(tmp_path / "plain", check=True)
    assert (plain.lineage, plain.metrics, plain.selection, plain.predictor_info) == (None,) * 4
    assert plain.selection_summary() is None and plain.predictor_key is None
    assert not AdapterBundle.is_finished(tmp_path / "plain")
    with pytest.raises(ValueError, match="not a finished training run"):
        plain.require_records()
    with pytest.raises(ValueError, match="no intention predictor"):
        plain.load_predictor(make_base_model(0))
    assert AdapterBundle.load(tmp_path / "plain", make_base_model(0)).predictor is None


@pytest.mark.parametrize("content", ["{not json", "[1, 2]"])
def test_an_unreadable_record_is_refused_with_its_path(make_lora_model, tmp_path, content):
    _bundle(make_lora_model, predictor=False).save(tmp_path / "run")
    (tmp_path / "run" / "lineage.json").write_text(content)
    with pytest.raises(ValueError, match=r"lineage\.json"):
        AdapterBundle.read(tmp_path / "run")


def test_a_predictor_description_without_labels_is_refused(make_lora_model, tmp_path):
    _bundle(make_lora_model).save(tmp_path / "run")
    (tmp_path / "run" / "predictor" / "predictor.json").write_text(json.dumps({"labels": []}))
    with pytest.raises(ValueError, match="predictor"):
        AdapterBundle.read(tmp_path / "run")


def test_saving_needs_metrics_and_a_predictors_labels(make_lora_model, tmp_path):
    with pytest.raises(ValueError, match="metrics"):
        AdapterBundle(lineage={}).save(tmp_path / "a")
    assert not AdapterBundle.is_finished(tmp_path / "a")
    no_labels = _bundle(make_lora_model)
    no_labels.predictor_info = None
    with pytest.raises(ValueError, match="labels"):
        no_labels.save(tmp_path / "b")


def test_the_selection_summary_prefers_stage_one_importance():
    summary = AdapterBundle(selection=SELECTION).selection_summary()
    assert summary["G"] == [2, 9, 1, 7] and summary["G_stage2"] == [0, 6, 0, 6]
    assert summary["s_gen"] == [1, 3] and summary["alignment_ratio"] == 0.75
    no_stage1 = {**SELECTION, "stage1": None}
    assert AdapterBundle(selection=no_stage1).selection_summary()["G"] == [0, 6, 0, 6]


def test_snapshots_are_listed_by_step(tmp_path):
    for step in (20, 5, 100):
        AdapterBundle.snapshot_path(AdapterBundle.snapshots_path(tmp_path), step).mkdir(
            parents=True
        )
    (AdapterBundle.snapshots_path(tmp_path) / "step-x").mkdir()
    snapshots = AdapterBundle(folder=tmp_path).snapshots()
    assert list(snapshots) == [5, 20, 100]
    assert snapshots[5].name == "step-5"


def _string_constants(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def test_no_module_but_the_bundle_names_a_file_inside_it():
    """The bundle's file names appear as string literals in no other non-test module (its
    ``predictor`` folder's name is left out: a common word, and the checkpoint keeps its
    own folder of that name)."""
    names = {
        bundle_module.PREDICTOR_META,
        bundle_module.PREDICTOR_HEAD,
        bundle_module.SELECTION,
        bundle_module.LINEAGE,
        bundle_module.METRICS,
        bundle_module.STEP_LOG,
        bundle_module.CONFIG,
        bundle_module.LABELLING,
    }
    skip = {".venv", "tests", "runs", "test-output", ".git"}
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if skip & set(relative.parts) or relative == Path("itune_core/bundle.py"):
            continue
        found = names & _string_constants(path)
        if found:
            offenders.append(f"{relative}: {', '.join(sorted(found))}")
    assert not offenders, "bundle file names outside itune_core/bundle.py:\n" + "\n".join(offenders)


def test_the_labelling_biases_are_read_and_checked(tmp_path):
    assert AdapterBundle.read(tmp_path).label_bias is None  # none: the predictor labels
    bias = {"clarity": 0, "fluency": 1.5, "coherence": -2.0, "style": -3.5, "meaning-changed": 0}
    (tmp_path / bundle_module.LABELLING).write_text(json.dumps({"bias": bias, "command": "x"}))
    assert AdapterBundle.read(tmp_path).label_bias == {k: float(v) for k, v in bias.items()}
    for bad in ({**bias, "style": "high"}, {**bias, "style": True}, {"clarity": 0},
                {**bias, "tone": 1.0}, [1, 2]):  # fmt: skip
        (tmp_path / bundle_module.LABELLING).write_text(json.dumps({"bias": bad}))
        with pytest.raises(ValueError, match=r"labelling\.json"):
            _ = AdapterBundle.read(tmp_path).label_bias
