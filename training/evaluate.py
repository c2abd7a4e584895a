"""Scoring an adapter or a baseline on a data set's split: ``python -m training evaluate``.

    python -m training evaluate runs/it-sent --data iterater-sent --split test
    python -m training evaluate --baseline zero-shot --data iterater-sent --limit 20
    python -m training evaluate --baseline copy --data iterater-doc --output copy-doc.json

The texts are revised the way the app revises them (``training.generation``: sentence by
sentence, the generation prompt in the chat template, greedy, the Reviser's stops, length
cap and cleaning), in left-padded batches, for each example's gold intentions (as the
paper evaluates). The report (JSON) holds every metric of ``itune_core.metrics`` overall
and per intention, the generation settings, the adapter's lineage and training metrics,
timings and every example's before, reference, output and labels. An adapter folder with
a Stage-I ``predictor/`` also gets its intention predictions scored on the same examples
(on the pairs (before, gold after), the task it was trained on); on single-label data
also how often the likeliest of two or three asked intentions is the true one
(``accuracy_among_asked``), which is how the app labels edits made for several.

Baselines: ``copy`` (output = input, the floor every metric must beat) and ``zero-shot``
(the base model with the generation prompt, no adapter).
"""

import argparse
import json
import logging
import os
import platform
import shlex
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import peft
import torch
import transformers
from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from itune_core.adapters import attach_adapter, check_adapter_dir
from itune_core.bundle import AdapterBundle
from itune_core.errors import ItuneError, ModelLoadError
from itune_core.facts import changes_facts
from itune_core.labelling import IntentionPredictor
from itune_core.metrics import accuracy_among_asked, classification_report, evaluate_revisions
from itune_core.model import default_device, default_dtype, load_model
from itune_core.prompts import DEFAULT_PROMPT_FORMAT, PromptFormat
from itune_core.reviser import ReviseSettings
from storage.environment import home_folder
from training.data import Dataset, RevisionExample, load_dataset
from training.generation import UNITS, TextRevision, revise_texts
from training.vocabulary import BaseDtype, Baseline

log = logging.getLogger(__name__)

BASELINES: tuple[str, ...] = tuple(baseline.value for baseline in Baseline)
DTYPES: tuple[str, ...] = tuple(dtype.value for dtype in BaseDtype)
ADAPTER_NAME = "evaluated"  # not "eval": PEFT refuses names of module attributes


def _positive(name: str, value: Any, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


@dataclass(frozen=True)
class EvalConfig:
    """One evaluation.

    Attributes:
        adapter: a training run's output folder (a PEFT adapter); or None with a baseline.
        baseline: ``copy`` or ``zero-shot``; or None with an adapter.
        data: ``iterater-sent``, ``iterater-doc``, ``argrewrite`` or a .jsonl path; None:
            the data the adapter was trained on (from its lineage).
        split: the split scored.
        limit: score only the first ``limit`` examples of the split (None: all).
        batch_size: rows decoded at once (and pairs per predictor pass).
        max_new_tokens: the Reviser's cap on the tokens of one piece's answer.
        model: the base model; None: the adapter's (lineage, else adapter_config), else
            the embedded one.
        unit: ``sentence`` (what the app does) or ``whole`` (each text as one piece).
        edit_beams: 0 (what the app does): greedy. K >= 2: pieces the greedy answer left
            unchanged are decoded again with K beams and the best answer that changes
            them is taken (``training.generation.revise_texts``).
        min_edit_margin: leave out the edits the model is unsure of (margin in nats at most
            this; ``itune_core.confidence``); None keeps them all. Default: the app's.
        tense_context: revise each sentence that tells of the past with the sentences
            after it as well, for their tenses (``itune_core.context``), as the app does;
            ``unit`` ``sentence`` only.
        dtype: ``auto`` (bf16 where the hardware runs it natively, else fp32) or a dtype.
        cpu: run on the CPU even where a GPU is present.
    """

    adapter: str | None = None
    baseline: str | None = None
    data: str | None = None
    split: str = "test"
    limit: int | None = None
    batch_size: int = 16
    max_new_tokens: int = 256
    model: str | None = None
    unit: str = "sentence"
    edit_beams: int = 0
    min_edit_margin: float | None = ReviseSettings.min_edit_margin
    tense_context: bool = ReviseSettings.tense_context
    dtype: str = "auto"
    cpu: bool = False

    def __post_init__(self) -> None:
        if (self.adapter is None) == (self.baseline is None):
            raise ValueError("give either an adapter folder or --baseline, not both or neither")
        if self.baseline is not None and self.baseline not in BASELINES:
            raise ValueError(
                f"baseline must be one of {', '.join(BASELINES)}, got {self.baseline!r}"
            )
        if self.baseline is not None and self.data is None:
            raise ValueError("a baseline needs --data")
        _positive("limit", self.limit, allow_none=True)
        _positive("batch_size", self.batch_size)
        _positive("max_new_tokens", self.max_new_tokens)
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {', '.join(UNITS)}, got {self.unit!r}")
        if isinstance(self.edit_beams, bool) or self.edit_beams not in (0, *range(2, 33)):
            raise ValueError(f"edit_beams must be 0 (off) or 2-32, got {self.edit_beams!r}")
        ReviseSettings(min_edit_margin=self.min_edit_margin)  # raises ValueError when bad
        if self.dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, got {self.dtype!r}")

    @property
    def default_margin(self) -> bool:
        return self.min_edit_margin == ReviseSettings.min_edit_margin

    @property
    def margin_label(self) -> str:
        """``--min-edit-margin``'s value for this config (``off`` for None)."""
        return "off" if self.min_edit_margin is None else f"{self.min_edit_margin:g}"

    def as_argv(self) -> list[str]:
        """The ``python -m training evaluate`` arguments that run this evaluation."""
        argv = [self.adapter] if self.adapter else ["--baseline", self.baseline]
        flags = {
            "--data": self.data,
            "--split": self.split,
            "--limit": self.limit,
            "--batch-size": self.batch_size,
            "--max-new-tokens": self.max_new_tokens,
            "--model": self.model,
            "--unit": self.unit,
            "--edit-beams": self.edit_beams or None,
            "--min-edit-margin": None if self.default_margin else self.margin_label,
            "--dtype": self.dtype,
        }
        argv += [
            str(x) for flag, value in flags.items() if value is not None for x in (flag, value)
        ]
        if self.tense_context != ReviseSettings.tense_context:
            argv.append("--tense-context" if self.tense_context else "--no-tense-context")
        return [*argv, "--cpu"] if self.cpu else argv

    @property
    def target(self) -> str:
        """What is scored, for messages and file names."""
        return self.baseline or str(self.adapter)


class EvalProgress:
    """Observer of the long parts of an evaluation; the default does nothing."""

    def start(self, name: str, total: int, unit: str) -> None: ...

    def update(self, n: int) -> None: ...

    def end(self) -> None: ...


class EvalProgressBars(EvalProgress):
    """One tqdm bar per part (generation, prediction)."""

    def __init__(self) -> None:
        self.bar: tqdm | None = None

    def start(self, name: str, total: int, unit: str) -> None:
        self.bar = tqdm(total=total, desc=name, unit=unit)

    def update(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def end(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def base_model_of(adapter: Path, lineage: dict[str, Any] | None, adapter_config: dict) -> str:
    """The base model an adapter was trained on: the source its training run was given
    (its lineage), else PEFT's ``base_model_name_or_path`` where that folder or id
    exists, else the embedded model."""
    source = ((lineage or {}).get("hyperparameters") or {}).get("model")
    if isinstance(source, str) and source:
        return source
    recorded = adapter_config.get("base_model_name_or_path")
    if isinstance(recorded, str) and recorded and Path(recorded).exists():
        return recorded
    return "embedded"


def _dtype(config: EvalConfig, device: torch.device) -> torch.dtype:
    return default_dtype(device) if config.dtype == "auto" else getattr(torch, config.dtype)


def _examples(dataset: Dataset, limit: int | None):
    return dataset.examples if limit is None else dataset.examples[:limit]


def score_predictor(
    bundle: AdapterBundle,
    examples: Sequence,
    *,
    base: torch.nn.Module,
    tokenizer,
    max_length: int,
    batch_size: int,
    multi_label: bool,
    progress: EvalProgress,
) -> tuple[dict[str, Any], list[list[str]]]:
    """Intention prediction on (before, gold after) pairs: the report and each
    example's predicted labels. ``base`` is a fresh copy of the base model (PEFT
    injects the predictor's adapter into it).

    Raises:
        ValueError: the data has labels the predictor does not know.
        ModelLoadError, OSError: the predictor cannot be loaded.
    """
    if bundle.predictor_info is None:
        raise ModelLoadError(f"{bundle.folder} has no intention predictor")
    labels = bundle.predictor_info.labels
    unknown = sorted({label for e in examples for label in e.labels} - set(labels))
    if unknown:
        raise ValueError(
            f"the data has labels {unknown} that the predictor of {bundle.folder} does not know "
            f"(it predicts {', '.join(labels)})"
        )
    device = next(base.parameters()).device
    classifier = bundle.load_predictor(base).to(device).eval()
    predictor = IntentionPredictor(
        classifier, tokenizer, labels, max_length=max_length, batch_size=batch_size
    )
    pairs = [(e.before, e.after) for e in examples]
    progress.start("intention prediction", len(pairs), "pair")
    probabilities = []
    for start in range(0, len(pairs), batch_size):
        probabilities += predictor.probabilities(pairs[start : start + batch_size])
        progress.update(len(pairs[start : start + batch_size]))
    progress.end()
    if bundle.predictor_info.multi_label:
        threshold = bundle.predictor_info.threshold
        predicted = [[k for k in labels if p[k] >= threshold] for p in probabilities]
    else:
        predicted = [[max(labels, key=p.get)] for p in probabilities]
    truth = [list(e.labels) if multi_label else e.labels[0] for e in examples]
    guesses = predicted if multi_label else [p[0] for p in predicted]
    report = classification_report(truth, guesses, labels, multi_label=multi_label)
    result = asdict(report)
    if not multi_label:  # how the app labels edits made for two or three intentions
        result["accuracy_among_asked"] = {
            str(k): accuracy_among_asked(truth, probabilities, k)
            for k in (2, 3)
            if k <= len(labels)
        }
    result["labels"] = list(labels)
    result["pairs"] = "(before, gold after) of each example; Stage-I prediction prompt"
    return result, predicted


def evaluate(
    config: EvalConfig,
    *,
    home: Path,
    progress: EvalProgress | None = None,
    command: str | None = None,
) -> dict[str, Any]:
    """Revise a split's texts with an adapter or a baseline and score them.

    Args:
        config: what to score and how.
        home: ITUNE_HOME; the embedded model is converted once into ``home/models``.
        progress: observer of generation and prediction (the CLI's bars).
        command: the command line, recorded in the report.

    Returns:
        The report (see the module docstring), JSON-ready.

    Raises:
        ValueError: a bad config, or data without a name where the adapter has no lineage.
        ModelLoadError: a missing or unloadable adapter, model or predictor.
        DataError: unreadable data.
    """
    started = time.perf_counter()
    progress = progress or EvalProgress()
    subject = _read_subject(config)
    data, dataset, examples = _load_data(config, subject)
    timing: dict[str, float] = {}
    if config.baseline == "copy":
        decoded = _Decoded([e.before for e in examples], {"baseline": "copy: output = input"})
    else:
        decoded = _revise_with_model(
            config, subject, dataset, examples, home=home, progress=progress, timing=timing
        )
    t0 = time.perf_counter()
    metrics = evaluate_revisions(
        [e.before for e in examples],
        decoded.outputs,
        [[e.after] for e in examples],
        [tuple(e.labels) for e in examples],
    )
    timing["metrics_seconds"] = time.perf_counter() - t0
    timing["total_seconds"] = time.perf_counter() - started
    return _report(config, subject, data, dataset, examples, decoded, metrics, timing, command)


@dataclass(frozen=True)
class _Subject:
    """The adapter folder evaluated (None for a baseline) and what it records."""

    adapter: Path | None = None
    adapter_config: dict[str, Any] = field(default_factory=dict)
    bundle: AdapterBundle | None = None

    @property
    def lineage(self) -> dict[str, Any] | None:
        return self.bundle.lineage if self.bundle else None

    @property
    def training(self) -> dict[str, Any] | None:
        return self.bundle.metrics if self.bundle else None


@dataclass(frozen=True)
class _Decoded:
    """The outputs and how they were made (the model's fields stay None for ``copy``)."""

    outputs: list[str]
    generation: dict[str, Any]
    model: dict[str, Any] | None = None
    revisions: list[TextRevision] | None = None
    prediction: dict[str, Any] | None = None
    predicted: list[list[str]] | None = None


def _read_subject(config: EvalConfig) -> _Subject:
    """The adapter folder, checked before anything is loaded, with its lineage and training
    metrics."""
    if not config.adapter:
        return _Subject()
    adapter = Path(config.adapter).expanduser().resolve()
    adapter_config = check_adapter_dir(adapter)
    return _Subject(adapter, adapter_config, AdapterBundle.read(adapter))


def _load_data(
    config: EvalConfig, subject: _Subject
) -> tuple[str, Dataset, Sequence[RevisionExample]]:
    """The data's name (given, else the adapter's lineage's), its split and the examples
    scored."""
    data = config.data or ((subject.lineage or {}).get("data") or {}).get("name")
    if not data:
        raise ValueError(f"{subject.adapter} has no lineage naming its data: give --data")
    dataset = load_dataset(data, config.split)
    return data, dataset, _examples(dataset, config.limit)


def _revise_with_model(
    config: EvalConfig,
    subject: _Subject,
    dataset: Dataset,
    examples: Sequence[RevisionExample],
    *,
    home: Path,
    progress: EvalProgress,
    timing: dict[str, float],
) -> _Decoded:
    """Load the base model (with the adapter), revise the examples and, where the adapter
    has a Stage-I predictor, score its intention predictions. Adds to ``timing``."""
    adapter, lineage = subject.adapter, subject.lineage
    device = default_device(cpu=config.cpu)
    dtype = _dtype(config, device)
    source = config.model or (
        base_model_of(adapter, lineage, subject.adapter_config) if adapter else "embedded"
    )
    t0 = time.perf_counter()
    loaded = load_model(source, cache_dir=home / "models", device=device, dtype=dtype)
    model = attach_adapter(loaded.model, adapter, ADAPTER_NAME) if adapter else loaded.model
    timing["load_seconds"] = time.perf_counter() - t0
    model_info = {
        "name": loaded.name,
        "source": source,
        "device": str(device),
        "dtype": str(dtype).removeprefix("torch."),
    }
    form = subject.bundle.prompt_format if subject.bundle is not None else DEFAULT_PROMPT_FORMAT
    revisions, generation = _decode(
        config, model, loaded.tokenizer, examples, progress, timing, form
    )
    prediction = predicted = None
    if subject.bundle is not None and subject.bundle.predictor_info is not None:
        max_length = ((lineage or {}).get("hyperparameters") or {}).get("max_length", 512)
        t0 = time.perf_counter()
        base = load_model(source, cache_dir=home / "models", device=device, dtype=dtype)
        prediction, predicted = score_predictor(
            subject.bundle,
            examples,
            base=base.model,
            tokenizer=loaded.tokenizer,
            max_length=max_length,
            batch_size=config.batch_size,
            multi_label=dataset.multi_label,
            progress=progress,
        )
        timing["prediction_seconds"] = time.perf_counter() - t0
    outputs = [r.revised for r in revisions]
    return _Decoded(outputs, generation, model_info, revisions, prediction, predicted)


def _decode(
    config: EvalConfig,
    model: torch.nn.Module,
    tokenizer,
    examples: Sequence[RevisionExample],
    progress: EvalProgress,
    timing: dict[str, float],
    prompt_format: PromptFormat = DEFAULT_PROMPT_FORMAT,
) -> tuple[list[TextRevision], dict[str, Any]]:
    """Revise each example for its gold intentions, prompted in ``prompt_format`` (the
    adapter's). Returns the revisions and the report's generation settings; adds the
    generation time and speeds to ``timing``."""
    sources = [e.before for e in examples]
    settings = ReviseSettings(
        max_new_tokens=config.max_new_tokens,
        min_edit_margin=config.min_edit_margin,
        tense_context=config.tense_context,
    )
    rows: list[int] = []  # the greedy pass's rows, once revise_texts has split the texts

    def start(n: int) -> None:
        rows.append(n)
        progress.start("revising", n, "piece")

    t0 = time.perf_counter()
    revisions = revise_texts(
        model,
        tokenizer,
        sources,
        [tuple(e.labels) for e in examples],
        settings=settings,
        batch_size=config.batch_size,
        unit=config.unit,
        edit_beams=config.edit_beams,
        prompt_format=prompt_format,
        on_rows=start,
        on_batch=progress.update,
        on_again=lambda n: (progress.end(), progress.start("edit beams", n, "piece")),
    )
    seconds = timing["generation_seconds"] = time.perf_counter() - t0
    progress.end()
    generation = generation_settings(config, settings, revisions, prompt_format)
    timing["pieces_per_second"] = sum(rows) / max(seconds, 1e-9)
    timing["generated_tokens_per_second"] = generation["generated_tokens"] / max(seconds, 1e-9)
    return revisions, generation


def _report(
    config: EvalConfig,
    subject: _Subject,
    data: str,
    dataset: Dataset,
    examples: Sequence[RevisionExample],
    decoded: _Decoded,
    metrics: dict[str, Any],
    timing: dict[str, float],
    command: str | None,
) -> dict[str, Any]:
    """The report (see the module docstring), JSON-ready."""
    sources = [e.before for e in examples]
    return {
        "method": config.baseline or (subject.lineage or {}).get("method") or "adapter",
        "target": {
            "adapter": str(subject.adapter) if subject.adapter else None,
            "baseline": config.baseline,
        },
        "data": {
            "name": data,
            "dataset": dataset.name,
            "split": dataset.split,
            "examples_in_split": len(dataset),
            "examples": len(examples),
            "limit": config.limit,
            "labels": list(dataset.labels),
            "multi_label": dataset.multi_label,
        },
        "model": decoded.model,
        "generation": decoded.generation,
        "metrics": metrics,
        "outputs": output_counts(sources, decoded.outputs, decoded.revisions),
        "metric_notes": {
            "sari": "EASSE/EditEval corpus SARI (F1 for deletion), 0-100",
            "sari_iterater": (
                "Xu et al.'s original sentence-mean SARI (deletion precision, 0/0 as 0), "
                "the scorer of ITERATER's published results, 0-100"
            ),
            "sari_t2t": "tensor2tensor/Hugging Face sentence-mean SARI (0/0 as 1), 0-100",
            "gleu": "Napoles et al. GEC GLEU, 0-100",
            "update_r": "Update-ROUGE (ROUGE-Lsum F1 on added sentences), 0-100",
            "by_intention": "the same metrics on the examples carrying each gold intention",
        },
        "prediction": decoded.prediction,
        "lineage": subject.lineage,
        "training": subject.training,
        "timing": timing,
        "command": command,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": {
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "peft": peft.__version__,
            "python": platform.python_version(),
        },
        "examples": example_rows(examples, decoded.outputs, decoded.revisions, decoded.predicted),
    }


def generation_settings(
    config: EvalConfig,
    settings: ReviseSettings,
    revisions: Sequence[TextRevision],
    prompt_format: PromptFormat = DEFAULT_PROMPT_FORMAT,
) -> dict[str, Any]:
    """How the outputs were generated, for the report."""
    return {
        "prompt": (
            "itune_core.prompts.generation_prompt in the model's chat template"
            if prompt_format is PromptFormat.CHAT
            else f"itune_core.prompts.generation_prompt, {prompt_format.value} format"
        ),
        "prompt_format": prompt_format.value,
        "intentions": "the example's gold labels",
        "unit": config.unit,
        "decoding": (
            f"greedy; pieces left unchanged decoded again with {config.edit_beams} beams, "
            "the best answer that changes the piece taken"
            if config.edit_beams
            else "greedy"
        ),
        "edit_beams": config.edit_beams,
        "batch_size": config.batch_size,
        "padding": "left",
        "max_new_tokens": settings.max_new_tokens,
        "length_cap": f"min(max_new_tokens, {settings.length_factor} * piece tokens + 16)",
        "loop_ngram": settings.loop_ngram,
        "stops": "end of turn; a line break when the piece has none; loop; length cap",
        "cleaning": "itune_core.reviser.clean_output",
        "min_similarity": settings.min_similarity,
        "guards": (
            "a cut-off answer or one less similar than min_similarity keeps the piece; "
            "edits that change a number, date or name (or put 'for' before a year) are held "
            "back unless meaning-changed "
            "was asked (itune_core.facts), and so are those that drop or add a negation "
            "(itune_core.negations), those that put a pronoun of another person where the "
            "piece named one (itune_core.persons) and those that put a piece naming no "
            "past time into the past (itune_core.tenses); whatever was asked, those that "
            "change an address, a file name or code (itune_core.literals) or only respell a "
            "word in the other variety of English (itune_core.varieties); under fluency "
            "alone, those that drop a connector or lose three words or more than they "
            "bring in (itune_core.connectors, itune_core.deletions); unless meaning-changed was "
            "asked, those that drop one of two parts joined by and, but, or or yet "
            "(itune_core.deletions); edits whose margin is at most "
            "min_edit_margin nats are left out, and where what is left reads less likely "
            "than the piece as written, every edit of the piece (itune_core.confidence)"
        ),
        "min_edit_margin": settings.min_edit_margin,
        "tense_context": settings.tense_context and config.unit == "sentence",
        "adapter": config.adapter,
        "pieces": sum(len(r.pieces) for r in revisions),
        "discarded_pieces": sum(r.discarded_pieces for r in revisions),
        "alternative_pieces": sum(r.alternative_pieces for r in revisions),
        "generated_tokens": sum(r.generated_tokens for r in revisions),
    }


def output_counts(
    sources: Sequence[str], outputs: Sequence[str], revisions: Sequence[TextRevision] | None
) -> dict[str, int]:
    """How many outputs equal their input, how many change a fact token (a number, a
    date, a name: ``itune_core.facts``) before and after the fact guard, the edits held
    back and left out, and the sentences that took tense fixes from an earlier one
    (``itune_core.context``)."""
    counts = {
        "unchanged": sum(o == s for s, o in zip(sources, outputs, strict=True)),
        "fact_changing": sum(changes_facts(s, o) for s, o in zip(sources, outputs, strict=True)),
    }
    if revisions is not None:
        counts["fact_changing_unguarded"] = sum(
            changes_facts(r.source, r.unguarded) for r in revisions
        )
        counts["held_edits"] = sum(r.held_edits for r in revisions)
        counts["unsure_edits"] = sum(r.unsure_edits for r in revisions)
        counts["tense_context_pieces"] = sum(r.context_pieces for r in revisions)
    return counts


def example_rows(
    examples: Sequence[RevisionExample],
    outputs: Sequence[str],
    revisions: Sequence[TextRevision] | None,
    predicted: Sequence[Sequence[str]] | None,
) -> list[dict[str, Any]]:
    """Each example's before, reference, output and labels (and pieces, predictions)."""
    rows = []
    for k, (example, output) in enumerate(zip(examples, outputs, strict=True)):
        row: dict[str, Any] = {
            "id": example.source_id,
            "before": example.before,
            "reference": example.after,
            "output": output,
            "labels": list(example.labels),
        }
        if revisions is not None:
            row["pieces"] = len(revisions[k].pieces)
            row["discarded_pieces"] = revisions[k].discarded_pieces
            row["alternative_pieces"] = revisions[k].alternative_pieces
            if revisions[k].unguarded != output:
                row["unguarded_output"] = revisions[k].unguarded
                row["held_edits"] = [h.to_dict() for p in revisions[k].pieces for h in p.held]
                row["unsure_edits"] = [h.to_dict() for p in revisions[k].pieces for h in p.unsure]
        if predicted is not None:
            row["predicted_labels"] = list(predicted[k])
        rows.append(row)
    return rows


def write_report(report: dict[str, Any], path: Path) -> None:
    """Write the report whole (a temporary file renamed), so a half-written report never
    passes for a finished one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2, ensure_ascii=False, allow_nan=True)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def default_report_path(config: EvalConfig, data: str) -> Path:
    """``ADAPTER/eval-<data>-<split>[-limitN][-beamsK].json`` (baselines are given
    ``--output``)."""
    name = Path(data).stem
    suffix = f"-limit{config.limit}" if config.limit else ""
    suffix += f"-beams{config.edit_beams}" if config.edit_beams else ""
    suffix += "" if config.default_margin else f"-margin-{config.margin_label}"
    return Path(config.adapter) / f"eval-{name}-{config.split}{suffix}.json"


# --- command line --------------------------------------------------------------------------


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``evaluate`` command to ``python -m training``'s subcommands."""
    p = subparsers.add_parser(
        "evaluate",
        help="score an adapter or a baseline",
        description="Revise a data set's split with an adapter or a baseline and score it "
        "(SARI, GLEU, Update-R, per intention; intention prediction where there is a "
        "predictor); writes a JSON report.",
    )
    p.add_argument("adapter", nargs="?", help="a training run's output folder")
    p.add_argument("--baseline", choices=BASELINES, help="score a baseline instead")
    p.add_argument(
        "--data",
        help="iterater-sent, iterater-doc, argrewrite or PATH.jsonl (default: the adapter's)",
    )
    p.add_argument("--split", default="test", help="split to score (default test)")
    p.add_argument("--limit", type=int, help="score only the first N examples")
    p.add_argument("--batch-size", type=int, default=16, help="rows decoded at once")
    p.add_argument("--max-new-tokens", type=int, default=256, help="cap per piece")
    p.add_argument("--model", help="base model (default: the adapter's, else embedded)")
    p.add_argument(
        "--unit",
        choices=UNITS,
        default="sentence",
        help="revise sentence by sentence like the app (default) or each text whole",
    )
    p.add_argument(
        "--edit-beams",
        type=int,
        default=0,
        metavar="K",
        help="decode pieces that greedy left unchanged again with K beams and take the best "
        "answer that changes them (default 0: greedy only, as the app)",
    )
    p.add_argument(
        "--min-edit-margin",
        type=_margin,
        default=ReviseSettings.min_edit_margin,
        metavar="NATS",
        help="leave out edits the model is unsure of: margin at most NATS; 'off' keeps "
        f"every edit (default {ReviseSettings.min_edit_margin}, as the app)",
    )
    p.add_argument(
        "--tense-context",
        action=argparse.BooleanOptionalAction,
        default=ReviseSettings.tense_context,
        help="revise each sentence that tells of the past with the sentences after it as well, for "
        f"their tenses (default {'on' if ReviseSettings.tense_context else 'off'}, as the app)",
    )
    p.add_argument("--dtype", choices=DTYPES, default="auto", help="auto: bf16 if native")
    p.add_argument("--cpu", action="store_true", help="run on the CPU")
    p.add_argument("--output", type=Path, help="report path (default: ADAPTER/eval-*.json)")
    p.add_argument("--home", type=Path, help="ITUNE_HOME (default $ITUNE_HOME or ~/.cache/itune)")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    return p


def _margin(value: str) -> float | None:
    if value.strip().lower() in ("off", "none"):
        return None
    try:
        return float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number of nats or 'off', got {value!r}"
        ) from None


def config_from_args(args: argparse.Namespace) -> EvalConfig:
    """Raises: ValueError: a bad combination or value of flags."""
    return EvalConfig(
        adapter=args.adapter,
        baseline=args.baseline,
        data=args.data,
        split=args.split,
        limit=args.limit,
        batch_size=args.batch_size,
        max_new_tokens=args.max_new_tokens,
        model=args.model,
        unit=args.unit,
        edit_beams=args.edit_beams,
        min_edit_margin=args.min_edit_margin,
        tense_context=args.tense_context,
        dtype=args.dtype,
        cpu=args.cpu,
    )


def run(args: argparse.Namespace, argv: Sequence[str] | None = None) -> int:
    """``python -m training evaluate``: score, write the report, print a summary line.

    Errors propagate (ValueError, ItuneError, OSError) for the caller to translate.
    """
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    config = config_from_args(args)
    if config.baseline is not None and args.output is None:
        raise ValueError("give --output REPORT.json for a baseline")
    prog = getattr(args, "prog", "python -m training")
    command = f"{prog} " + shlex.join(argv) if argv is not None else None
    with logging_redirect_tqdm():
        report = evaluate(
            config, home=home_folder(args.home), progress=EvalProgressBars(), command=command
        )
    output = args.output or default_report_path(config, report["data"]["name"])
    write_report(report, output)
    m = report["metrics"]
    print(
        f"wrote {output}: {report['method']} on {report['data']['dataset']} "
        f"{report['data']['split']} ({m['n']} examples): SARI {m['sari']:.2f} "
        f"(ITERATER {m['sari_iterater']:.2f}, t2t {m['sari_t2t']:.2f}), "
        f"GLEU {m['gleu']:.2f}, Update-R {m['update_r']:.2f}"
        + (
            f"; prediction macro-F1 {report['prediction']['macro_f1']:.3f}"
            if report["prediction"]
            else ""
        )
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``evaluate`` on its own (``training.cli`` wires the same ``add_parser`` / ``run``):
    one-line errors and exit codes as the training CLI (1 bad input, 2 bad flags, 130
    interrupted)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m training")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    level = logging.INFO if args.verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        return run(args, argv)
    except KeyboardInterrupt:
        print("error: interrupted; no report was written", file=sys.stderr)
        return 130
    except (ItuneError, ValueError, OSError) as err:
        log.debug("failed", exc_info=True)
        print(f"error: {err}", file=sys.stderr)
        return 1
