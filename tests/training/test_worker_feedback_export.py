"""The feedback export: accepted, labelled edits as IteraTeR sentence lines that
``training.data.load_jsonl`` reads, each with only its own edit applied."""

import json

import pytest

from itune_core.edits import Edit, compute_edits
from storage.feedback import FeedbackStore
from storage.store import Store
from training.data import load_jsonl
from training.feedback import edit_context, export_feedback

SOURCE = "The cat sat on teh mat. It was happy."
REVISED = "The cat sat on the mat. It was very happy."


@pytest.fixture
def store(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'itune.db'}")
    yield store
    store.close()


def _record(store, intentions=("fluency", "style")) -> int:
    edits = [
        Edit(e.type, e.before, e.after, e.start_char_pos, e.end_char_pos, label)
        for e, label in zip(compute_edits(SOURCE, REVISED), intentions, strict=True)
    ]
    return store.record_revision(
        source=SOURCE,
        revised=REVISED,
        intentions=["fluency", "style"],
        edits=edits,
        model="m",
        adapter="it-1",
        latency_ms=1.0,
    )


def test_each_line_is_the_edits_sentence_with_only_that_edit(store, tmp_path):
    revision_id = _record(store)
    store.record_decisions(revision_id, None, "accept")
    export = export_feedback(FeedbackStore(store.engine), tmp_path / "feedback.jsonl")
    rows = [json.loads(line) for line in export.path.read_text().splitlines()]
    assert [(r["before_sent"], r["after_sent"], r["labels"]) for r in rows] == [
        ("The cat sat on teh mat.", "The cat sat on the mat.", "fluency"),
        ("It was happy.", "It was very happy.", "style"),
    ]
    assert export.revision_ids == (revision_id,)


def test_export_loads_with_load_jsonl(store, tmp_path):
    revision_id = _record(store)
    store.record_decisions(revision_id, None, "accept")
    export = export_feedback(FeedbackStore(store.engine), tmp_path / "feedback.jsonl")
    dataset = load_jsonl(export.path)
    assert [(e.before, e.after, e.labels) for e in dataset.examples] == [
        ("The cat sat on teh mat.", "The cat sat on the mat.", ("fluency",)),
        ("It was happy.", "It was very happy.", ("style",)),
    ]
    assert dataset.examples[0].source_id == f"feedback-{revision_id}-0"


def test_rejected_and_unlabelled_edits_are_left_out(store, tmp_path):
    first = _record(store)
    store.record_decision(first, 0, "reject")
    store.record_decision(first, 1, "accept")
    unlabelled = _record(store, intentions=(None, None))
    store.record_decisions(unlabelled, None, "accept")
    export = export_feedback(FeedbackStore(store.engine), tmp_path / "feedback.jsonl")
    assert export.rows == 1 and export.revision_ids == (first,)


def test_nothing_to_export_is_a_clear_error_and_writes_nothing(store, tmp_path):
    _record(store)
    with pytest.raises(ValueError, match="no accepted"):
        export_feedback(FeedbackStore(store.engine), tmp_path / "feedback.jsonl")
    assert not (tmp_path / "feedback.jsonl").exists()


def test_an_insertion_between_sentences_takes_the_sentence_before():
    source = "One. Two."
    edit = Edit("A", "", " Extra.", 4, 4, "coherence")
    assert edit_context(source, edit) == ("One.", "One. Extra.")


# --- rejected edits as negatives, replayed data ----------------------------------------------


def test_a_rejected_edit_becomes_a_line_that_keeps_the_original_words(store, tmp_path):
    revision_id = _record(store)
    store.record_decision(revision_id, 0, "reject", reason="unnecessary")
    store.record_decision(revision_id, 1, "accept")
    export = export_feedback(
        FeedbackStore(store.engine), tmp_path / "feedback.jsonl", negatives=True
    )
    rows = [json.loads(line) for line in export.path.read_text().splitlines()]
    assert [(r["before_sent"], r["after_sent"], r["labels"]) for r in rows] == [
        ("It was happy.", "It was very happy.", "style"),
        ("The cat sat on teh mat.", "The cat sat on teh mat.", "fluency"),
    ]
    assert rows[1]["rejected"] == {"after": "The cat sat on the mat.", "reason": "unnecessary"}
    assert (export.accepted, export.rejected, export.rows) == (1, 1, 2)
    assert export.revision_ids == (revision_id,)
    assert [e.before == e.after for e in load_jsonl(export.path).examples] == [False, True]


def test_rejections_without_a_telling_reason_or_without_negatives_are_left_out(store, tmp_path):
    first, second = _record(store), _record(store)
    store.record_decision(first, 0, "reject", reason="other")
    store.record_decision(first, 1, "reject")  # no reason given
    store.record_decision(second, 0, "reject", reason="wrong-intention")
    feedback = FeedbackStore(store.engine)
    export = export_feedback(feedback, tmp_path / "with.jsonl", negatives=True)
    assert (export.accepted, export.rejected, export.revision_ids) == (0, 1, (second,))
    with pytest.raises(ValueError, match="no accepted, labelled edits"):
        export_feedback(feedback, tmp_path / "without.jsonl")


def test_replayed_lines_follow_the_feedback_and_a_limit_samples_by_seed(store, tmp_path):
    from training.feedback import replay_examples, replay_rows

    revision_id = _record(store)
    store.record_decisions(revision_id, None, "accept")
    some = replay_examples("iterater-sent", limit=5, seed=1)
    assert len(some) == 5 and some == replay_examples("iterater-sent", limit=5, seed=1)
    assert some != replay_examples("iterater-sent", limit=5, seed=2)
    export = export_feedback(
        FeedbackStore(store.engine),
        tmp_path / "feedback.jsonl",
        replay=replay_rows("iterater-sent", some),
    )
    assert (export.accepted, export.rejected, export.replayed, export.rows) == (2, 0, 5, 7)
    examples = load_jsonl(export.path).examples
    assert [(e.before, e.after) for e in examples[2:]] == [(e.before, e.after) for e in some]
    with pytest.raises(ValueError, match="replay_data"):
        replay_examples("argrewrite")
