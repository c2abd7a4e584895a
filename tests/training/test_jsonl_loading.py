"""JSON Lines files in the IteraTeR format: both styles load, bad data stops with a
DataError naming file, line and field, and any text survives the round trip."""

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from itune_core.edits import compute_edits, with_intention
from itune_core.errors import ItuneError
from training.data import DataError, load_dataset, load_jsonl


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
    )
    return path


def _sentence(before="A sentence .", after="A sentence.", labels="fluency", **extra) -> dict:
    return {"before_sent": before, "after_sent": after, "labels": labels, **extra}


def _document(before: str, after: str, intention: str | None) -> dict:
    """A document row as the app exports it: edits from the core diff, with `intention`."""
    edits = with_intention(compute_edits(before, after), intention)
    return {
        "before_revision": before,
        "after_revision": after,
        "edit_actions": [edit.to_dict() for edit in edits],
    }


def test_sentence_style_keeps_text_exactly(tmp_path):
    path = _write(tmp_path / "train.jsonl", [_sentence(before=" Leading space ,", after="x ")])
    (loaded,) = load_jsonl(path).examples
    assert (loaded.before, loaded.after, loaded.labels) == (" Leading space ,", "x ", ("fluency",))


def test_sentence_style_accepts_a_label_list_and_is_then_multi_label(tmp_path):
    rows = [_sentence(labels="clarity"), _sentence(labels=["style", "clarity"])]
    dataset = load_jsonl(_write(tmp_path / "train.jsonl", rows))
    assert [e.labels for e in dataset.examples] == [("clarity",), ("clarity", "style")]
    assert dataset.multi_label


def test_single_label_sentences_make_a_single_label_dataset(tmp_path):
    rows = [_sentence(labels="clarity"), _sentence(labels=["coherence"])]
    assert not load_jsonl(_write(tmp_path / "train.jsonl", rows)).multi_label


def test_sentence_rows_labelled_others_are_dropped(tmp_path):
    rows = [_sentence(labels="others"), _sentence(labels="style")]
    assert [e.line for e in load_jsonl(_write(tmp_path / "a.jsonl", rows)).examples] == [2]


def test_document_style_reads_the_apps_export(tmp_path):
    row = _document("The cat sat on mat.", "The cat sat on the mat.", "fluency")
    (loaded,) = load_jsonl(_write(tmp_path / "feedback.jsonl", [row])).examples
    assert loaded.labels == ("fluency",)
    assert [(e.type, e.after, e.intention) for e in loaded.edit_actions] == [
        ("A", "the ", "fluency")
    ]


def test_document_style_reads_iterater_major_intent(tmp_path):
    row = _document("Its good.", "It is good.", None)
    for action in row["edit_actions"]:
        del action["intention"]
        action["major_intent"] = "clarity"
    dataset = load_jsonl(_write(tmp_path / "doc.jsonl", [row]))
    assert dataset.examples[0].labels == ("clarity",)
    assert dataset.multi_label


def test_unlabelled_document_edits_give_no_label(tmp_path):
    rows = [_document("a b", "a c", None), _document("a b", "a b c", "style")]
    assert [e.labels for e in load_jsonl(_write(tmp_path / "a.jsonl", rows)).examples] == [
        ("style",)
    ]


def test_one_file_may_mix_both_styles(tmp_path):
    rows = [_sentence(), _document("a b", "a c", "clarity")]
    assert len(load_jsonl(_write(tmp_path / "mixed.jsonl", rows))) == 2


def test_load_dataset_reads_a_jsonl_path(tmp_path):
    path = _write(tmp_path / "feedback.jsonl", [_sentence()])
    dataset = load_dataset(str(path), "dev")
    assert (dataset.split, len(dataset)) == ("dev", 1)


def test_a_data_error_is_an_itune_error():
    assert issubclass(DataError, ItuneError)


GOOD = json.dumps(_sentence()).encode()
GOOD_DOC = json.dumps(_document("a b", "a c", "clarity"))


def _bad_doc(**changes) -> bytes:
    row = json.loads(GOOD_DOC)
    row["edit_actions"][0].update(changes)
    return json.dumps(row).encode()


# (file content, line, field, what the message says)
BAD = {
    "missing field": (
        GOOD + b'\n{"before_sent": "a", "labels": "style"}\n',
        2,
        "after_sent",
        "missing",
    ),
    "unknown label": (
        GOOD + b"\n" + GOOD + b"\n" + json.dumps(_sentence(labels="grammar")).encode(),
        3,
        "labels",
        "unknown label 'grammar' (known: clarity, fluency, coherence, style, meaning-changed",
    ),
    "label of the wrong type": (
        json.dumps(_sentence(labels=5)).encode(),
        1,
        "labels",
        "expected string or array, got integer",
    ),
    "text of the wrong type": (
        json.dumps(_sentence(before=["a"])).encode(),
        1,
        "before_sent",
        "expected string, got array",
    ),
    "empty label list": (json.dumps(_sentence(labels=[])).encode(), 1, "labels", "no label"),
    "edit offset of the wrong type": (
        _bad_doc(start_char_pos="2"),
        1,
        "edit_actions[0].start_char_pos",
        "expected integer, got string",
    ),
    "unknown edit intention": (
        _bad_doc(intention="tone"),
        1,
        "edit_actions[0].intention",
        "unknown label 'tone'",
    ),
    "unknown edit type": (_bad_doc(type="M"), 1, "edit_actions[0].type", "'M'"),
    "edit off its text": (
        _bad_doc(start_char_pos=0),
        1,
        "edit_actions[0].before",
        "does not match before_revision[0:3]",
    ),
    "neither style": (b'{"text": "a"}', 1, "before_sent", "missing"),
}


@pytest.mark.parametrize(("content", "line", "field", "problem"), BAD.values(), ids=BAD.keys())
def test_bad_field_names_file_line_and_field(tmp_path, content, line, field, problem):
    path = tmp_path / "train.jsonl"
    path.write_bytes(content)
    with pytest.raises(DataError) as caught:
        load_jsonl(path)
    assert str(caught.value).startswith(f"{path} line {line}: field {field!r}: ")
    assert problem in str(caught.value)
    assert (caught.value.line, caught.value.field) == (line, field)


# (file content, line, what the message says): the line cannot be read, so no field.
UNREADABLE = {
    "invalid JSON": (GOOD + b'\n{"before_sent": "a",\n', 2, "invalid JSON"),
    "not UTF-8": (GOOD + b"\n" + GOOD + b'\n{"before_sent": "caf\xe9"}\n', 3, "not valid UTF-8"),
    "not an object": (GOOD + b'\n["a", "b"]\n', 2, "expected a JSON object, got array"),
}


@pytest.mark.parametrize(("content", "line", "problem"), UNREADABLE.values(), ids=UNREADABLE.keys())
def test_unreadable_line_names_file_and_line(tmp_path, content, line, problem):
    path = tmp_path / "train.jsonl"
    path.write_bytes(content)
    with pytest.raises(DataError, match=problem) as caught:
        load_jsonl(path)
    assert str(caught.value).startswith(f"{path} line {line}: ")


@pytest.mark.parametrize("content", [b"", b"\n  \n"], ids=["no bytes", "blank lines"])
def test_empty_file_is_a_data_error(tmp_path, content):
    path = tmp_path / "train.jsonl"
    path.write_bytes(content)
    with pytest.raises(DataError, match="empty") as caught:
        load_jsonl(path)
    assert str(caught.value).startswith(str(path))


def test_file_with_only_others_is_a_data_error(tmp_path):
    path = _write(tmp_path / "train.jsonl", [_sentence(labels="others")])
    with pytest.raises(DataError, match="no examples left"):
        load_jsonl(path)


def test_missing_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="cannot read"):
        load_jsonl(tmp_path / "nowhere.jsonl")


TRICKY = "👩‍💻 مرحبا עולם \u202eRTL\u202c \x00\x1b\x85\u2028\u2029\r\n\t end"


@settings(max_examples=60, deadline=None)
@given(before=st.text(), after=st.text())
@example(before=TRICKY, after=TRICKY[::-1])
def test_any_text_round_trips_through_a_jsonl_file(before, after):
    rows = [
        _sentence(before=before, after=after, labels="style"),
        {
            "before_revision": before,
            "after_revision": after,
            "edit_actions": [
                {
                    "type": "R",
                    "before": before,
                    "after": after,
                    "start_char_pos": 0,
                    "end_char_pos": len(before),
                    "intention": "clarity",
                }
            ],
        },
    ]
    with tempfile.TemporaryDirectory() as folder:
        sentence, document = load_jsonl(_write(Path(folder) / "any.jsonl", rows)).examples
    assert (sentence.before, sentence.after) == (before, after)
    assert (document.before, document.after) == (before, after)
    assert document.edit_actions[0].before == before
