"""``python -m training evaluate`` on a tiny Llama (4 blocks) with the embedded model's
tokenizer: the copy baseline's scores, the promised report fields, batched generation
equal to one-by-one generation and to the app's Reviser, and clear errors."""

import argparse
import json
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from transformers import AutoTokenizer, LlamaForCausalLM

from itune_core.metrics import evaluate_revisions
from itune_core.reviser import Reviser, ReviseSettings, word_similarity
from training import cli
from training.evaluate import (
    EvalConfig,
    add_parser,
    config_from_args,
    default_report_path,
    evaluate,
    main,
)
from training.generation import BatchReviser, assemble, revise_texts, text_spans

ROWS = [
    ("He go to school yesterday.", "He went to school yesterday.", "fluency"),
    ("The result are good .", "The results are good.", "fluency"),
    ("We use a method that is new. It works well on the data.", "We use a new method.", "clarity"),
    ("It rains. So we stay home.", "It rains, so we stay home.", "coherence"),
    ("The car is red.", "The car is blue.", "meaning-changed"),
    ("Its a nice day for a walk.", "It is a lovely day for a walk.", "style"),
]


@pytest.fixture(scope="module")
def tiny_model(save_tiny_llama) -> Path:
    """A 4-block Llama saved with the embedded model's tokenizer (and chat template)."""
    return save_tiny_llama(4)


@pytest.fixture(scope="module")
def data_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "revisions.jsonl"
    rows = [{"before_sent": b, "after_sent": a, "labels": label} for b, a, label in ROWS]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny_run(tiny_model, data_file, tmp_path_factory) -> Path:
    """An intention-tuning run of 2 steps (adapter, predictor, lineage) on the tiny model."""
    out = tmp_path_factory.mktemp("runs") / "it"
    argv = ["train", "--method", "intention-tuning", "--data", str(data_file)]
    argv += ["--output", str(out), "--model", str(tiny_model), "--max-steps", "2"]
    argv += ["--batch-size", "2", "--max-length", "96"]
    assert cli.main(argv) == 0
    return out


def _evaluate(*argv: str) -> int:
    return main(["evaluate", *argv])


def test_the_copy_baseline_scores_what_the_metrics_give_for_unchanged_outputs(data_file, tmp_path):
    report = evaluate(EvalConfig(baseline="copy", data=str(data_file)), home=tmp_path)
    sources = [b for b, _, _ in ROWS]
    expected = evaluate_revisions(
        sources, sources, [[a] for _, a, _ in ROWS], [(label,) for _, _, label in ROWS]
    )
    assert report["metrics"] == expected
    assert [row["output"] for row in report["examples"]] == sources
    assert report["model"] is None and report["prediction"] is None


def test_an_adapter_report_holds_every_promised_field(tiny_run, data_file, tmp_path, itune_home):
    report_path = tmp_path / "report.json"
    argv = [str(tiny_run), "--data", str(data_file), "--limit", "3", "--batch-size", "2"]
    argv += ["--dtype", "float32", "--output", str(report_path), "--home", str(itune_home)]
    assert _evaluate(*argv) == 0
    report = json.loads(report_path.read_text())

    assert report["method"] == "intention-tuning"
    metrics = report["metrics"]
    assert metrics["n"] == 3
    for name in ("sari", "sari_t2t", "gleu", "update_r"):
        assert 0.0 <= metrics[name] <= 100.0
    assert set(metrics["by_intention"]) == {"fluency", "clarity"}
    assert metrics["by_intention"]["fluency"]["n"] == 2
    generation = report["generation"]
    assert generation["padding"] == "left" and generation["decoding"] == "greedy"
    assert generation["unit"] == "sentence" and generation["batch_size"] == 2
    assert generation["prompt_format"] == "chat"
    assert generation["pieces"] == 4  # the third example has two sentences
    assert report["model"]["source"] == str(tiny_model_of(tiny_run))
    assert report["model"]["dtype"] == "float32"
    assert report["lineage"] == json.loads((tiny_run / "lineage.json").read_text())
    assert report["training"] == json.loads((tiny_run / "metrics.json").read_text())
    assert report["timing"]["generation_seconds"] > 0
    assert report["data"]["examples"] == 3 and report["data"]["limit"] == 3

    examples = report["examples"]
    assert [e["before"] for e in examples] == [b for b, _, _ in ROWS[:3]]
    assert [e["reference"] for e in examples] == [a for _, a, _ in ROWS[:3]]
    assert [e["labels"] for e in examples] == [[label] for _, _, label in ROWS[:3]]
    assert all(isinstance(e["output"], str) and e["output"] for e in examples)

    prediction = report["prediction"]  # the run has a Stage-I predictor
    assert 0.0 <= prediction["accuracy"] <= 1.0 and 0.0 <= prediction["macro_f1"] <= 1.0
    assert set(prediction["per_class"]) == set(report["data"]["labels"])
    assert prediction["n"] == 3
    among = prediction["accuracy_among_asked"]  # single-label data: two and three asked
    assert set(among) == {"2", "3"} and all(0.0 <= v <= 1.0 for v in among.values())
    assert all(len(e["predicted_labels"]) == 1 for e in examples)


def tiny_model_of(run: Path) -> str:
    return json.loads((run / "lineage.json").read_text())["hyperparameters"]["model"]


def test_the_default_report_goes_into_the_adapter_folder(tiny_run, tmp_path, itune_home):
    # Without --data the adapter's own training data is scored.
    argv = [str(tiny_run), "--split", "train", "--limit", "1", "--home", str(itune_home)]
    assert _evaluate(*argv, "--dtype", "float32") == 0
    report = json.loads((tiny_run / "eval-revisions-train-limit1.json").read_text())
    assert report["data"]["examples"] == 1


def _tiny_loaded(tiny_model):
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    model = LlamaForCausalLM.from_pretrained(tiny_model, dtype=torch.float32).eval()
    return model, tokenizer


def test_left_padded_batches_answer_as_one_by_one_generation(tiny_model):
    model, tokenizer = _tiny_loaded(tiny_model)
    texts = [b for b, _, _ in ROWS]  # pieces of different lengths: real left padding
    intentions = [(label,) for _, _, label in ROWS]
    settings = ReviseSettings(max_new_tokens=24, min_similarity=0.0)
    batched = revise_texts(model, tokenizer, texts, intentions, settings=settings, batch_size=7)
    single = revise_texts(model, tokenizer, texts, intentions, settings=settings, batch_size=1)
    assert [r.pieces for r in batched] == [r.pieces for r in single]
    assert any(p.raw for r in batched for p in r.pieces)  # the model did answer something


def test_batched_revisions_equal_the_apps_reviser(tiny_model):
    model, tokenizer = _tiny_loaded(tiny_model)
    texts = [b for b, _, _ in ROWS]
    intentions = [(label,) for _, _, label in ROWS]
    settings = ReviseSettings(max_new_tokens=24, min_similarity=0.0)
    batched = revise_texts(model, tokenizer, texts, intentions, settings=settings, batch_size=4)
    reviser = Reviser(model, tokenizer, model_name="tiny", settings=settings)
    for text, wanted, ours in zip(texts, intentions, batched, strict=True):
        app = reviser.revise(text, wanted)
        assert ours.revised == app.revised
        assert ours.generated_tokens == app.generated_tokens
        assert ours.discarded_pieces == app.discarded_pieces
        assert ours.held_edits == len(app.held_edits)  # the same fact guard


def test_the_row_count_comes_first_and_counts_pieces_and_tense_windows(tiny_model):
    # the progress bar's total: two sentences, one more that opens a tense window over the
    # sentence after it (itune_core.context), and a text of one sentence
    model, tokenizer = _tiny_loaded(tiny_model)
    texts = ["Last night we went out. We eat pizza.", "A short text."]
    settings = ReviseSettings(max_new_tokens=4, min_similarity=0.0)
    calls: list[tuple[str, int]] = []
    revise_texts(model, tokenizer, texts, [("fluency",)] * 2, settings=settings, batch_size=2,
                 on_rows=lambda n: calls.append(("rows", n)),
                 on_batch=lambda n: calls.append(("done", n)))  # fmt: skip
    assert calls[0] == ("rows", 4)
    assert sum(n for kind, n in calls if kind == "done") == 4
    off = ReviseSettings(max_new_tokens=4, min_similarity=0.0, tense_context=False)
    calls.clear()
    revise_texts(model, tokenizer, texts, [("fluency",)] * 2, settings=off, batch_size=2,
                 on_rows=lambda n: calls.append(("rows", n)))  # fmt: skip
    assert calls == [("rows", 3)]


def test_pieces_joining_a_running_batch_answer_as_they_do_alone(tiny_model, monkeypatch):
    model, tokenizer = _tiny_loaded(tiny_model)
    # Two lines each, so no line-break stop: the tiny model's rows run on until its loop
    # guard or their length caps stop them, at different passes.
    settings = ReviseSettings(max_new_tokens=64, min_similarity=0.0)
    reviser = BatchReviser(model, tokenizer, settings)
    pieces = [(f"{b}\n{ROWS[k - 1][0]}", (label,)) for k, (b, _, label) in enumerate(ROWS)] * 2
    joins = []  # (rows were running, rows joining) per join
    real_join = reviser.decoder._join

    def spy(cache, mask, added, names, device):
        joins.append((cache is not None, len(added)))
        return real_join(cache, mask, added, names, device)

    monkeypatch.setattr(reviser.decoder, "_join", spy)
    done = []
    joined = reviser.revise_joined(pieces, max_rows=3, on_done=done.append)
    assert any(running for running, _ in joins)  # rows did join a batch that was running
    assert 3 + sum(n for _, n in joins) == len(pieces)
    assert sum(done) == len(pieces) and reviser.decoder.kept_bytes == 0
    assert joined == [reviser.revise_pieces([piece])[0] for piece in pieces]


@pytest.mark.parametrize("max_rows", [0, -1, True, 2.0])
def test_a_bad_row_count_is_refused(tiny_model, max_rows):
    model, tokenizer = _tiny_loaded(tiny_model)
    reviser = BatchReviser(model, tokenizer, ReviseSettings())
    with pytest.raises(ValueError, match="max_rows"):
        reviser.revise_joined([("A text.", ("clarity",))], max_rows)


@pytest.mark.real_model
def test_batched_revisions_equal_the_apps_reviser_on_the_embedded_model(embedded):
    # The real model stops at its end-of-turn token and gives answers that are kept.
    texts = [b for b, _, _ in ROWS[:4]]
    intentions = [(label,) for _, _, label in ROWS[:4]]
    settings = ReviseSettings()
    model, tokenizer = embedded.model, embedded.tokenizer
    batched = revise_texts(model, tokenizer, texts, intentions, settings=settings, batch_size=5)
    reviser = Reviser(model, tokenizer, model_name="embedded", settings=settings)
    for text, wanted, ours in zip(texts, intentions, batched, strict=True):
        app = reviser.revise(text, wanted)
        assert ours.revised == app.revised
        assert ours.generated_tokens == app.generated_tokens
    assert any(not p.discarded for r in batched for p in r.pieces)


# --- bad input -----------------------------------------------------------------------------


def test_a_missing_adapter_folder_is_a_one_line_error(tmp_path, capsys):
    assert _evaluate(str(tmp_path / "nowhere"), "--data", "iterater-sent") == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "does not exist" in err and err.count("\n") == 1


def test_an_unknown_baseline_is_refused_by_the_flags(capsys):
    with pytest.raises(SystemExit) as exit_info:
        _evaluate("--baseline", "oracle", "--data", "iterater-sent", "--output", "r.json")
    assert exit_info.value.code == 2
    assert "invalid choice: 'oracle'" in capsys.readouterr().err


def test_an_unknown_baseline_is_refused_by_the_config():
    with pytest.raises(ValueError, match="baseline must be one of copy, zero-shot"):
        EvalConfig(baseline="oracle", data="iterater-sent")


def test_a_limit_of_zero_is_refused(tmp_path, capsys):
    argv = ["--baseline", "copy", "--data", "iterater-sent", "--limit", "0"]
    assert _evaluate(*argv, "--output", str(tmp_path / "r.json")) == 1
    assert "limit must be a positive integer, got 0" in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()


def test_an_adapter_and_a_baseline_together_are_refused(tmp_path, capsys):
    argv = [str(tmp_path), "--baseline", "copy", "--data", "iterater-sent"]
    assert _evaluate(*argv, "--output", str(tmp_path / "r.json")) == 1
    assert "either an adapter folder or --baseline" in capsys.readouterr().err


def test_a_baseline_without_an_output_path_is_refused_before_any_work(capsys):
    assert _evaluate("--baseline", "zero-shot", "--data", "iterater-sent") == 1
    assert "--output" in capsys.readouterr().err


# --- pieces and the recorded command -------------------------------------------------------


def test_a_text_is_put_back_with_its_own_whitespace_around_revised_pieces():
    text = "  First one.  Second one?\nThird.  "
    spans = text_spans(text, "sentence")
    assert [text[a:b] for a, b in spans] == ["First one.", "Second one?", "Third."]
    assert assemble(text, spans, ["1.", "2?", "3."]) == "  1.  2?\n3.  "
    assert text_spans(text, "whole") == [(2, 32)]


def test_the_recorded_command_runs_the_same_evaluation():
    config = EvalConfig(adapter="runs/x", data="iterater-doc", split="dev", limit=5, cpu=True)
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["evaluate", *config.as_argv()])
    assert config_from_args(args) == config


# --- insisting on an edit (--edit-beams) ---------------------------------------------------


@pytest.mark.real_model
def test_edit_beams_change_only_what_greedy_left_unchanged(embedded):
    # On these the embedded model's greedy answer keeps the first and third sentence as
    # they are and corrects the second.
    texts = [
        "The cat sat on the mat.",
        "He go to school yesterday.",
        "The results are shown in Table 2.",
    ]
    intentions = [("fluency",)] * len(texts)
    # Every edit kept: the base model's margin for "go" -> "went" is just under 0.5 nats.
    settings = ReviseSettings(min_edit_margin=None)
    model, tokenizer = embedded.model, embedded.tokenizer
    greedy = revise_texts(model, tokenizer, texts, intentions, settings=settings, batch_size=4)
    again: list[int] = []
    beams = revise_texts(
        model, tokenizer, texts, intentions, settings=settings, batch_size=4, edit_beams=4,
        on_again=again.append,
    )  # fmt: skip
    unchanged = [k for k, r in enumerate(greedy) if r.revised == texts[k]]
    assert unchanged and len(unchanged) < len(texts)  # both kinds are here
    assert again == [len(unchanged)]
    for k, (first, second) in enumerate(zip(greedy, beams, strict=True)):
        if k not in unchanged:  # a greedy edit stands as it was
            assert second.pieces == first.pieces and not second.alternative_pieces
            continue
        piece = second.pieces[0]
        if piece.alternative:  # the best beam answer that edits, through the same guards
            assert second.revised == piece.revised != texts[k]
            assert not piece.discarded and not piece.cut_off
            assert word_similarity(piece.revised, texts[k]) >= settings.min_similarity
        else:
            assert second.revised == texts[k]
    assert sum(r.alternative_pieces for r in beams) >= 1


def test_edit_beams_answers_are_the_model_s_own_beams(tiny_model):
    # With no similarity guard the tiny model's beams are all kept; the one taken is the
    # best-scoring beam that changes the piece, decoded as the greedy answers are.
    model, tokenizer = _tiny_loaded(tiny_model)
    settings = ReviseSettings(max_new_tokens=12, min_similarity=0.0)
    reviser = BatchReviser(model, tokenizer, settings)
    pieces = [("He go to school.", ("fluency",)), ("The car is red.", ("clarity",))]
    found = reviser.alternatives(pieces, beams=3)
    assert len(found) == 2
    for (piece, _), answer in zip(pieces, found, strict=True):
        assert answer is None or (answer.alternative and answer.revised != piece)
    with pytest.raises(ValueError, match="line breaks"):
        reviser.alternatives([("One.", ("clarity",)), ("Two\nlines.", ("clarity",))], beams=2)
    assert reviser.alternatives([], beams=2) == []


def test_beam_answers_are_every_beam_best_first_and_alternatives_take_the_first_edit(
    tiny_model,
):
    model, tokenizer = _tiny_loaded(tiny_model)
    settings = ReviseSettings(max_new_tokens=12, min_similarity=0.0)
    reviser = BatchReviser(model, tokenizer, settings)
    pieces = [("He go to school.", ("fluency",)), ("The car is red.", ("clarity",))]
    answers = reviser.beam_answers(pieces, beams=3)
    assert [len(a) for a in answers] == [3, 3]
    rows = reviser.rows(pieces)
    generated = reviser.decoder.generate_ids(
        rows, [reviser.decoder.newline_stop], num_beams=3, num_return_sequences=3,
        early_stopping=True,
    )  # fmt: skip
    for k, found in enumerate(answers):  # in the order beam search ranked them
        for b, answer in enumerate(found):
            ids = [t for t in generated[k * 3 + b].tolist() if t != tokenizer.pad_token_id]
            assert answer.raw == reviser.decoder.answer(rows[k], ids[: rows[k].budget]).text
    for (piece, _), found, alternative in zip(
        pieces, answers, reviser.alternatives(pieces, beams=3), strict=True
    ):
        edits = [a for a in found if not a.discarded and a.revised != piece]
        assert alternative == (replace(edits[0], alternative=True) if edits else None)


@pytest.mark.parametrize("beams", [1, -2, True, 2.5])
def test_a_bad_edit_beams_value_is_refused_before_any_work(beams):
    with pytest.raises(ValueError, match="edit_beams"):
        revise_texts(None, None, ["A text."], [("clarity",)], settings=ReviseSettings(),
                     batch_size=2, edit_beams=beams)  # fmt: skip
    with pytest.raises(ValueError, match="edit_beams"):
        EvalConfig(baseline="zero-shot", data="iterater-sent", edit_beams=beams)


def test_edit_beams_travel_with_the_recorded_command_and_the_report_name(tmp_path, capsys):
    config = EvalConfig(adapter="runs/x", data="iterater-sent", split="dev", edit_beams=4)
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["evaluate", *config.as_argv()])
    assert config_from_args(args) == config and "--edit-beams" in config.as_argv()
    assert "--edit-beams" not in EvalConfig(adapter="runs/x").as_argv()
    path = default_report_path(config, "iterater-sent")
    assert path.name == "eval-iterater-sent-dev-beams4.json"
    assert _evaluate(str(tmp_path), "--data", "iterater-sent", "--edit-beams", "1") == 1
    assert "edit_beams" in capsys.readouterr().err
