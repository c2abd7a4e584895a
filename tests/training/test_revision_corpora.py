"""The corpus loaders on the copied corpora: counts, label sets and the ArgRewrite split."""

import hashlib
import json
import shutil

import openpyxl
import pytest

from itune_core.intentions import INTENTIONS
from training.data import (
    ARGREWRITE_INTENTIONS,
    ARGREWRITE_LABELS,
    CORPORA_ROOT,
    SPLITS,
    DataError,
    argrewrite_writer_splits,
    load_argrewrite,
    load_argrewrite_intentions,
    load_dataset,
    load_iterater_doc,
    load_iterater_sent,
)

# Rows per split in the corpus README, minus the rows labelled `others` (39 / 15 / 4).
SENT_COUNTS = {"train": 3254 - 39, "dev": 400 - 15, "test": 364 - 4}
# Every IteraTeR document has at least one edit with an intent other than `others`.
DOC_COUNTS = {"train": 481, "dev": 27, "test": 51}
ARGREWRITE_WRITERS = 86


def _raw_rows(folder: str, split: str) -> list[dict]:
    path = CORPORA_ROOT / "iterater" / folder / f"{split}.json"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _writer(source_id: str) -> str:
    return source_id.split("/")[0]


@pytest.fixture(scope="module")
def argrewrite():
    return {split: load_argrewrite(split) for split in SPLITS}


def test_corpus_files_are_the_checksummed_upstream_files():
    sums = dict(
        reversed(line.split("  ", 1))
        for line in (CORPORA_ROOT / "SHA256SUMS").read_text().splitlines()
    )
    files = {
        str(path.relative_to(CORPORA_ROOT))
        for path in CORPORA_ROOT.rglob("*")
        if path.is_file() and path.name not in ("SHA256SUMS", "README.md")
    }
    assert files == set(sums)
    for name, digest in sums.items():
        assert hashlib.sha256((CORPORA_ROOT / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.parametrize(("split", "count"), SENT_COUNTS.items())
def test_iterater_sent_keeps_every_row_but_others(split, count):
    assert len(load_iterater_sent(split)) == count


def test_iterater_sent_is_single_label_over_the_five_intentions():
    dataset = load_iterater_sent("dev")
    assert dataset.labels == INTENTIONS
    assert not dataset.multi_label
    assert {example.labels for example in dataset.examples} == {(name,) for name in INTENTIONS}


def test_iterater_sent_drops_only_the_space_iterater_adds():
    raw = [row for row in _raw_rows("human_sent_level", "dev") if row["labels"] != "others"]
    examples = load_iterater_sent("dev").examples
    assert any(row["before_sent"].startswith("  ") for row in raw)  # the case that matters
    for row, example in zip(raw, examples, strict=True):
        for text, kept in (
            (row["before_sent"], example.before),
            (row["after_sent"], example.after),
        ):
            assert kept == (text[1:] if text.startswith(" ") else text)


def test_iterater_sent_records_doc_id_and_line():
    example = load_iterater_sent("train").examples[1]
    assert example.line == 2
    assert example.source_id == _raw_rows("human_sent_level", "train")[1]["doc_id"]


@pytest.mark.parametrize(("split", "count"), DOC_COUNTS.items())
def test_iterater_doc_keeps_every_document_with_an_intent(split, count):
    assert len(load_iterater_doc(split)) == count


def test_iterater_doc_labels_are_the_distinct_intents_of_its_edits():
    dataset = load_iterater_doc("test")
    assert dataset.multi_label
    for example, row in zip(dataset.examples, _raw_rows("human_doc_level", "test"), strict=True):
        intents = {action["major_intent"] for action in row["edit_actions"]} - {"others"}
        assert set(example.labels) == intents
    assert max(len(example.labels) for example in dataset.examples) > 1


def test_iterater_doc_keeps_edit_actions_on_the_before_text():
    for example in load_iterater_doc("dev").examples:
        assert example.edit_actions
        for edit in example.edit_actions:
            assert example.before[edit.start_char_pos : edit.end_char_pos] == edit.before


def test_iterater_doc_drops_a_document_whose_edits_are_all_others(tmp_path):
    folder = tmp_path / "iterater" / "human_doc_level"
    folder.mkdir(parents=True)
    action = {"type": "R", "before": "a", "after": "b", "start_char_pos": 0, "end_char_pos": 1}
    rows = [
        {
            "before_revision": "a",
            "after_revision": "b",
            "edit_actions": [action | {"major_intent": "others"}],
        },
        {
            "before_revision": "a",
            "after_revision": "b",
            "edit_actions": [action | {"major_intent": "style"}],
        },
    ]
    (folder / "dev.json").write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    examples = load_iterater_doc("dev", root=tmp_path).examples
    assert [(example.line, example.labels) for example in examples] == [(2, ("style",))]


def test_argrewrite_splits_share_no_writer(argrewrite):
    writers = {
        split: {_writer(e.source_id) for e in argrewrite[split].examples} for split in SPLITS
    }
    assert all(writers.values())
    assert not writers["train"] & writers["dev"]
    assert not writers["train"] & writers["test"]
    assert not writers["dev"] & writers["test"]


def test_argrewrite_split_puts_every_writer_in_one_split():
    splits = argrewrite_writer_splits()
    assert [len(splits[split]) for split in SPLITS] == [69, 9, 8]
    assert len(set().union(*splits.values())) == ARGREWRITE_WRITERS


def test_argrewrite_split_is_fixed_by_the_seed():
    assert argrewrite_writer_splits(seed=13) == argrewrite_writer_splits(seed=13)
    assert argrewrite_writer_splits(seed=13) != argrewrite_writer_splits(seed=14)


def test_argrewrite_examples_come_from_their_splits_writers(argrewrite):
    dev_writers = {f"2018argrewrite_{writer}" for writer in argrewrite_writer_splits()["dev"]}
    assert {_writer(e.source_id) for e in argrewrite["dev"].examples} == dev_writers


def test_argrewrite_labels_are_the_nine_purposes(argrewrite):
    train = argrewrite["train"]
    assert train.labels == ARGREWRITE_LABELS
    assert train.multi_label
    assert {label for example in train.examples for label in example.labels} == set(
        ARGREWRITE_LABELS
    )


def test_argrewrite_examples_are_revised_sentences_by_default(argrewrite):
    examples = [e for split in SPLITS for e in argrewrite[split].examples]
    assert len(examples) == 1698  # aligned groups with a purpose, both revision cycles
    assert all(e.before and e.after and e.before != e.after for e in examples)


def test_argrewrite_can_keep_added_and_deleted_sentences():
    examples = load_argrewrite("test", include_added_deleted=True).examples
    assert any(e.before == "" and e.after for e in examples)
    assert any(e.after == "" and e.before for e in examples)


def test_argrewrite_one_to_many_alignment_joins_the_new_sentences(argrewrite):
    # Writer 11, draft 1 -> 2: old sentence 3 was split into new sentences 3 and 4.
    (example,) = [
        e for e in argrewrite["dev"].examples if e.source_id == "2018argrewrite_11/12/3->3,4"
    ]
    assert example.before.startswith("According to  The U.S.  Department")
    assert example.after.startswith("According to  The U.S.  Department")
    assert ". The advantage of having self driving cars" in example.after
    assert example.labels == ("Organization",)


def test_every_argrewrite_purpose_maps_to_an_intention():
    assert set(ARGREWRITE_INTENTIONS) == set(ARGREWRITE_LABELS)
    assert set(ARGREWRITE_INTENTIONS.values()) <= set(INTENTIONS)


def test_argrewrite_intentions_keep_revisions_of_one_intention(argrewrite):
    for split in SPLITS:
        mapped = load_argrewrite_intentions(split)
        assert mapped.labels == INTENTIONS and not mapped.multi_label
        purposes = {(e.source_id, e.before, e.after): e.labels for e in argrewrite[split].examples}
        expected = [
            key
            for key, labels in purposes.items()
            if len({ARGREWRITE_INTENTIONS[label] for label in labels}) == 1
        ]
        assert [(e.source_id, e.before, e.after) for e in mapped.examples] == expected
        for e in mapped.examples:
            (label,) = e.labels
            source = purposes[(e.source_id, e.before, e.after)]
            assert {ARGREWRITE_INTENTIONS[purpose] for purpose in source} == {label}
    # Writer 11's split sentence (above) is an Organization revision: coherence.
    (example,) = [
        e
        for e in load_argrewrite_intentions("dev").examples
        if e.source_id == "2018argrewrite_11/12/3->3,4"
    ]
    assert example.labels == ("coherence",)


def test_argrewrite_intentions_join_iterater_sent_by_name():
    joined = load_dataset("iterater-sent+argrewrite-intentions", "dev")
    counts = (
        len(load_iterater_sent("dev").examples),
        len(load_argrewrite_intentions("dev").examples),
    )
    assert len(joined.examples) == sum(counts) and counts[1] > 100
    assert joined.labels == INTENTIONS and not joined.multi_label


@pytest.mark.filterwarnings("ignore:Workbook contains no default style")
def test_argrewrite_unknown_purpose_names_file_row_and_column(tmp_path):
    source = (
        CORPORA_ROOT / "argrewrite_v2/annotations/A/12/Annotation_2018argrewrite_11_NEW.txt.xlsx"
    )
    workbook = openpyxl.load_workbook(source)
    workbook["Old Draft"]["G4"] = "Grammar"  # row 4: old sentence 3, Revision Purpose Level 0
    folder = tmp_path / "argrewrite_v2" / "annotations" / "A" / "12"
    folder.mkdir(parents=True)
    bad = folder / "Annotation_2018argrewrite_1_NEW.txt.xlsx"
    workbook.save(bad)
    for writer in range(2, 11):  # enough writers for three non-empty splits
        shutil.copy(bad, folder / f"Annotation_2018argrewrite_{writer}_NEW.txt.xlsx")
    with pytest.raises(DataError) as caught:
        load_argrewrite("test", root=tmp_path)
    message = str(caught.value)
    assert "Annotation_2018argrewrite_" in message
    assert "sheet 'Old Draft' row 4: field 'Revision Purpose Level 0'" in message
    assert "unknown purpose 'Grammar'" in message


@pytest.mark.parametrize("name", ["iterater-sent", "iterater-doc"])
def test_load_dataset_dispatches_by_name(name):
    dataset = load_dataset(name, "dev")
    assert (dataset.name, dataset.split) == (name, "dev")


def test_load_dataset_rejects_an_unknown_name():
    with pytest.raises(ValueError, match="iterater-sent"):
        load_dataset("iterater", "train")


def test_load_dataset_rejects_an_unknown_split():
    with pytest.raises(ValueError, match="split"):
        load_dataset("iterater-sent", "validation")
