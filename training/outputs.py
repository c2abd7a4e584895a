"""The output folder of a training run: written aside, published whole.

A run writes into a hidden staging folder beside the output (``.NAME.tmp-XXXX``) and
renames it to the output only when every file is there, so an interrupted run leaves
the output absent, or the previous finished run untouched (replaced only with
``overwrite``). What a finished folder holds:

  adapter_config.json, adapter_model.safetensors   the generation adapter (PEFT format)
  predictor/                                       Stage-I predictor (intention-tuning):
      adapter_config.json, adapter_model.safetensors   LoRA on every block (PEFT format)
      head.safetensors, predictor.json                 the linear head and its labels
  selection.json    per-step S_t and norms, G, S_gen, alignment ratio
  log.jsonl         one line per optimiser step (stage, loss, selected, norms, lr, ...)
  config.yaml       the resolved config, runnable with ``--config``
  metrics.json      time, peak memory, trainable parameters, mean |S_t|, losses
  lineage.json      base model, method, data and its hash, hyper-parameters, S_gen
"""

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from peft import PeftModel
from safetensors.torch import load_file, save_file

from itune_core.predictor import IntentionClassifier
from training.data import RevisionExample

log = logging.getLogger(__name__)

FINISHED_MARKER = "metrics.json"  # written last: a folder with it is a finished run
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")
PREDICTOR_DIR = "predictor"


def check_output(output: Path, overwrite: bool) -> None:
    """Refuse, before any training, an output that would be lost or cannot be written.

    Raises:
        ValueError: ``output`` exists and is not an empty folder, unless ``overwrite``
            and it is a finished run; or its parent cannot be created.
    """
    if output.exists():
        if not output.is_dir():
            raise ValueError(f"output {output} exists and is not a folder")
        if any(output.iterdir()):
            if not overwrite:
                raise ValueError(f"output {output} is not empty; pass --overwrite to replace it")
            if not (output / FINISHED_MARKER).is_file():
                raise ValueError(
                    f"output {output} is not a finished training run; refusing to replace it"
                )
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ValueError(f"cannot create {output.parent}: {err.strerror}") from None


class StagingDir:
    """A hidden folder beside ``output`` that becomes ``output`` on ``publish``.

    Used as a context manager: leaving it without ``publish`` (an error, Ctrl-C,
    SIGTERM turned into an exception) deletes the staging folder.
    """

    def __init__(self, output: Path) -> None:
        self.output = output
        self.path = Path(tempfile.mkdtemp(prefix=f".{output.name}.tmp-", dir=output.parent))
        self.published = False

    def __enter__(self) -> "StagingDir":
        return self

    def __exit__(self, *exc) -> None:
        if not self.published:
            shutil.rmtree(self.path, ignore_errors=True)

    def publish(self) -> Path:
        """Rename the staging folder to the output, replacing a finished previous run."""
        self.path.chmod(0o755)  # mkdtemp makes it private; the output is an ordinary folder
        old = None
        if self.output.exists():
            # Moved aside, not deleted, until the new run is in place.
            old = Path(tempfile.mkdtemp(prefix=f".{self.output.name}.old-", dir=self.output.parent))
            os.replace(self.output, old / "run")
        os.replace(self.path, self.output)
        self.published = True
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return self.output


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, allow_nan=True) + "\n", encoding="utf-8")


def examples_sha256(examples: Sequence[RevisionExample]) -> str:
    """A hash of the training data snapshot: (before, after, labels) of every example,
    in order, as canonical JSON lines."""
    digest = hashlib.sha256()
    for example in examples:
        row = [example.before, example.after, list(example.labels)]
        digest.update(json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def save_adapter(model: PeftModel, folder: Path) -> None:
    """The adapter in standard PEFT format (loads with ``PeftModel.from_pretrained``)."""
    model.save_pretrained(folder, safe_serialization=True)
    missing = [name for name in ADAPTER_FILES if not (folder / name).is_file()]
    if missing:
        raise RuntimeError(f"PEFT did not write {', '.join(missing)} to {folder}")


def save_predictor(
    classifier: IntentionClassifier, folder: Path, labels: Sequence[str], multi_label: bool
) -> None:
    """The Stage-I predictor: its PEFT adapter, the head weights and the label list."""
    folder.mkdir(parents=True, exist_ok=True)
    save_adapter(classifier.model, folder)
    head = {
        k: v.detach().float().contiguous().cpu() for k, v in classifier.head.state_dict().items()
    }
    save_file(head, folder / "head.safetensors")
    write_json(
        folder / "predictor.json",
        {
            "labels": list(labels),
            "multi_label": multi_label,
            "threshold": classifier.threshold,
            "prompt": "itune_core.predictor.prediction_prompt",
            "pooling": "last real token (attention mask)",
        },
    )


def load_predictor(
    folder: Path | str, base: torch.nn.Module, adapter_name: str | None = None
) -> IntentionClassifier:
    """Rebuild a saved predictor on a fresh copy of its base model, or, given a PeftModel
    and an ``adapter_name``, as one more adapter of that shared model (a few MB each
    instead of a copy of the base model per predictor).

    Raises:
        OSError, ValueError: a missing or unreadable file.
    """
    folder = Path(folder)
    meta = json.loads((folder / "predictor.json").read_text(encoding="utf-8"))
    if isinstance(base, PeftModel) and adapter_name is not None:
        if adapter_name not in base.peft_config:
            base.load_adapter(str(folder), adapter_name=adapter_name)
        model = base
    elif adapter_name is not None:
        model = PeftModel.from_pretrained(base, folder, adapter_name=adapter_name)
    else:
        model = PeftModel.from_pretrained(base, folder)
    classifier = IntentionClassifier(
        model,
        len(meta["labels"]),
        multi_label=meta["multi_label"],
        train_head=False,
        threshold=meta["threshold"],
        adapter_name=adapter_name,
    )
    classifier.head.load_state_dict(load_file(folder / "head.safetensors"))
    return classifier
