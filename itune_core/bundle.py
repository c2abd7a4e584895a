"""The adapter bundle: a trained run's folder, and the one module that knows its files.

A training run publishes one folder that the app serves, ``evaluate`` scores and the
registry records. Its layout is known here only; everyone else goes through
``AdapterBundle`` (docs/formats.md describes the files for people):

  adapter_config.json, adapter_model.safetensors   the generation adapter (PEFT format;
                                                   the folder itself loads with PEFT)
  predictor/                                       the Stage-I predictor (intention-tuning)
      adapter_config.json, adapter_model.safetensors   LoRA on every block (PEFT format)
      head.safetensors, predictor.json                 the linear head, labels, threshold
  selection.json   per-step S_t and norms, G, S_gen, alignment ratio
  lineage.json     base model, method, data and its hash, hyper-parameters (the prompt
                   format among them), S_gen, and the parent bundle of a run started from
                   one (``parent``)
  metrics.json     time, peak memory, trainable parameters, losses; written last, so a
                   folder holding it is a finished run
  log.jsonl        one line per optimiser step (streamed while training)
  config.yaml      the resolved config, runnable with ``--config``
  labelling.json   optional: a bias per intention for labelling edits by the adapter's
                   own likelihood (``itune_core.gain_labels``), and how it was fitted
  snapshots/step-N/  the generation adapter at step N (``snapshot_every``)

A plain PEFT adapter folder (trained elsewhere) is a bundle without the optional parts:
no predictor, no selection, no lineage or metrics.
"""

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import torch
from safetensors.torch import load_file, save_file

from itune_core.adapters import REQUIRED_FILES as GENERATION_FILES
from itune_core.adapters import check_adapter_dir
from itune_core.build_lock import BUILD_LOCK
from itune_core.intentions import INTENTIONS
from itune_core.prompts import DEFAULT_PROMPT_FORMAT, PromptFormat, check_prompt_format

if TYPE_CHECKING:  # itune_core.predictor imports peft, which takes seconds: see load_predictor
    from itune_core.predictor import IntentionClassifier

PREDICTOR_DIR = "predictor"
PREDICTOR_META = "predictor.json"
PREDICTOR_HEAD = "head.safetensors"
SELECTION = "selection.json"
LINEAGE = "lineage.json"
METRICS = "metrics.json"  # written last: a folder holding it is a finished run
STEP_LOG = "log.jsonl"
CONFIG = "config.yaml"
SNAPSHOTS = "snapshots"
SNAPSHOT_PREFIX = "step-"
GENERATION_WEIGHTS = "adapter_model.safetensors"  # one of GENERATION_FILES
PARENT = "parent"  # the lineage key naming the bundle a run started from
LABELLING = "labelling.json"


@dataclass(frozen=True)
class PredictorInfo:
    """What ``predictor.json`` says of a predictor: its labels in head order, whether it is
    multi-label, and its decision threshold (multi-label only)."""

    labels: tuple[str, ...]
    multi_label: bool
    threshold: float = 0.5

    @classmethod
    def from_dict(cls, data: Any, where: Path | str = "predictor") -> Self:
        """Raises: ValueError: not the expected object (the message names ``where``)."""
        try:
            labels = tuple(str(label) for label in data["labels"])
            info = cls(labels, bool(data["multi_label"]), float(data.get("threshold", 0.5)))
        except (TypeError, KeyError, ValueError) as err:
            raise ValueError(f"{where} is not a predictor description: {err!r}") from None
        if not labels:
            raise ValueError(f"{where} names no labels")
        return info

    def to_dict(self) -> dict[str, Any]:
        return {
            "labels": list(self.labels),
            "multi_label": self.multi_label,
            "threshold": self.threshold,
            "prompt": "itune_core.predictor.prediction_prompt",
            "pooling": "last real token (attention mask)",
        }


def _read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from ``path``; None when there is no such file.

    Raises:
        ValueError: the file is unreadable, not JSON, or not an object (names the path).
    """
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"cannot read {path}: {err}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path} must hold a JSON object")
    return data


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, allow_nan=True) + "\n", encoding="utf-8")


def save_peft_adapter(model: torch.nn.Module, folder: Path) -> None:
    """A PEFT model's adapter in standard format (loads with ``PeftModel.from_pretrained``):
    a bundle's generation adapter, a snapshot, or a predictor's adapter.

    Raises:
        RuntimeError: PEFT did not write the expected files.
    """
    model.save_pretrained(folder, safe_serialization=True)
    missing = [name for name in GENERATION_FILES if not (folder / name).is_file()]
    if missing:
        raise RuntimeError(f"PEFT did not write {', '.join(missing)} to {folder}")


def save_predictor(classifier: "IntentionClassifier", folder: Path, info: PredictorInfo) -> None:
    """A Stage-I predictor in its own folder: its PEFT adapter, head weights and labels."""
    folder.mkdir(parents=True, exist_ok=True)
    save_peft_adapter(classifier.model, folder)
    head = {
        k: v.detach().float().contiguous().cpu() for k, v in classifier.head.state_dict().items()
    }
    save_file(head, folder / PREDICTOR_HEAD)
    _write_json(folder / PREDICTOR_META, info.to_dict())


def read_predictor_info(folder: Path) -> PredictorInfo:
    """The labels and threshold of the predictor saved in ``folder``.

    Raises:
        ValueError: no readable description there.
    """
    data = _read_json(folder / PREDICTOR_META)
    if data is None:
        raise ValueError(f"{folder} lacks {PREDICTOR_META}")
    return PredictorInfo.from_dict(data, folder / PREDICTOR_META)


def load_predictor(
    folder: Path, base: torch.nn.Module, adapter_name: str | None = None
) -> "IntentionClassifier":
    """Rebuild the predictor saved in ``folder`` on a fresh copy of its base model, or,
    given a PeftModel and an ``adapter_name``, as one more adapter of that shared model (a
    few MB each instead of a copy of the base model per predictor).

    Raises:
        OSError, ValueError: a missing or unreadable file.
    """
    # Imported here: peft takes seconds to import, and reading a bundle's records (the
    # registry, the Admin views) needs neither it nor the predictor.
    from peft import PeftModel

    from itune_core.predictor import IntentionClassifier

    info = read_predictor_info(folder)
    with BUILD_LOCK:
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
            len(info.labels),
            multi_label=info.multi_label,
            train_head=False,
            threshold=info.threshold,
            adapter_name=adapter_name,
        )
    classifier.head.load_state_dict(load_file(folder / PREDICTOR_HEAD))
    return classifier


@dataclass
class AdapterBundle:
    """A trained adapter folder as one object.

    Written by the training recipe (``save``), read by the app, ``evaluate``, the worker
    and the Admin views (``read`` for the records, ``load`` for the predictor too).

    Attributes:
        lineage: base model, method, data, hyper-parameters, S_gen; None for a plain PEFT
            folder.
        metrics: the run's measurements; None for an unfinished or plain PEFT folder.
        selection: the layer-selection record (per-step S_t, G, S_gen, alignment ratio).
        predictor_info: the predictor's labels and threshold, where it has one.
        labelling: ``labelling.json`` (``bias``: intention -> nats, and its provenance),
            where the folder has one.
        generation: the generation adapter's PEFT model, to save (None when read).
        predictor: the Stage-I classifier, to save, or loaded by ``load`` with a base.
        folder: where it was read from (None for a bundle not yet saved).
    """

    lineage: dict[str, Any] | None = None
    metrics: dict[str, Any] | None = None
    selection: dict[str, Any] | None = None
    predictor_info: PredictorInfo | None = None
    labelling: dict[str, Any] | None = None
    generation: torch.nn.Module | None = field(default=None, repr=False)
    predictor: "IntentionClassifier | None" = field(default=None, repr=False)
    folder: Path | None = None

    # --- writing -------------------------------------------------------------------------

    def save(self, folder: Path, *, finish: bool = True) -> None:
        """Write every part this bundle holds into ``folder`` (the recipe's staging
        folder): the generation adapter, the predictor, the selection and lineage, and
        the metrics last, which marks the run finished.

        Args:
            folder: where to write.
            finish: write the metrics (required) and so mark the run finished; False
                writes the parts held so far (the recipe saves the predictor after Stage I).

        Raises:
            ValueError: a predictor without its description, or no metrics to mark the
                folder finished.
        """
        folder.mkdir(parents=True, exist_ok=True)
        if self.generation is not None:
            save_peft_adapter(self.generation, folder)
        if self.predictor is not None:
            if self.predictor_info is None:
                raise ValueError("a predictor needs its labels (predictor_info) to be saved")
            save_predictor(self.predictor, folder / PREDICTOR_DIR, self.predictor_info)
        if self.selection is not None:
            _write_json(folder / SELECTION, self.selection)
        if self.lineage is not None:
            _write_json(folder / LINEAGE, self.lineage)
        if not finish:
            return
        if self.metrics is None:
            raise ValueError("a bundle is saved with its metrics, which mark it finished")
        _write_json(folder / METRICS, self.metrics)

    @staticmethod
    def step_log_path(folder: Path) -> Path:
        """Where the recipe streams the step log (one JSON object per line)."""
        return folder / STEP_LOG

    @staticmethod
    def config_path(folder: Path) -> Path:
        """Where the resolved config (YAML, runnable with ``--config``) is kept."""
        return folder / CONFIG

    @staticmethod
    def snapshot_path(snapshots: Path, step: int) -> Path:
        """The snapshot of the generation adapter at ``step`` inside a snapshots folder."""
        return snapshots / f"{SNAPSHOT_PREFIX}{step}"

    @staticmethod
    def snapshots_path(folder: Path) -> Path:
        """The folder of snapshots within a bundle (or within a checkpoint)."""
        return folder / SNAPSHOTS

    # --- reading -------------------------------------------------------------------------

    @staticmethod
    def is_finished(folder: Path) -> bool:
        """Whether ``folder`` holds a finished training run (its metrics are written)."""
        return (folder / METRICS).is_file()

    @staticmethod
    def has_generation_adapter(folder: Path) -> bool:
        """Whether ``folder`` holds a generation adapter's files (not checked further)."""
        return all((folder / name).is_file() for name in GENERATION_FILES)

    @classmethod
    def read(cls, folder: Path | str, *, check: bool = False) -> Self:
        """The records of a bundle (cheap: JSON only, no weights).

        Args:
            folder: the bundle's folder.
            check: also check the generation adapter is a loadable PEFT folder first.

        Raises:
            ModelLoadError: with ``check``, no loadable generation adapter.
            ValueError: a record that is there but unreadable (the message names it).
        """
        folder = Path(folder)
        if check:
            check_adapter_dir(folder)
        predictor = folder / PREDICTOR_DIR
        return cls(
            lineage=_read_json(folder / LINEAGE),
            metrics=_read_json(folder / METRICS),
            selection=_read_json(folder / SELECTION),
            predictor_info=read_predictor_info(predictor) if predictor.is_dir() else None,
            labelling=_read_json(folder / LABELLING),
            folder=folder,
        )

    @classmethod
    def load(
        cls, folder: Path | str, base: torch.nn.Module, *, adapter_name: str | None = None
    ) -> Self:
        """``read``, and the predictor rebuilt on ``base`` (a fresh copy of the base model,
        or a shared PeftModel with ``adapter_name``); ``predictor`` stays None where the
        bundle has none. The generation adapter is the folder itself: attach it with
        ``itune_core.adapters.attach_adapter``.

        Raises:
            OSError, ValueError: a missing or unreadable file.
        """
        bundle = cls.read(folder)
        if bundle.predictor_info is not None:
            bundle.predictor = load_predictor(
                bundle.folder / PREDICTOR_DIR, base, adapter_name=adapter_name
            )
        return bundle

    def load_predictor(
        self, base: torch.nn.Module, *, adapter_name: str | None = None
    ) -> "IntentionClassifier":
        """This bundle's predictor on ``base`` (see ``load``).

        Raises:
            ValueError: the bundle has no predictor, or was not read from a folder.
            OSError: an unreadable weights file.
        """
        if self.predictor_info is None or self.folder is None:
            raise ValueError(f"{self.folder or 'this adapter'} has no intention predictor")
        return load_predictor(self.folder / PREDICTOR_DIR, base, adapter_name=adapter_name)

    @property
    def predictor_key(self) -> str | None:
        """A key naming this bundle's predictor, the same each time it is read (the
        resolved path of its folder); None without one."""
        if self.predictor_info is None or self.folder is None:
            return None
        return str((self.folder / PREDICTOR_DIR).resolve())

    @property
    def prompt_format(self) -> PromptFormat:
        """The prompt format the generation adapter was trained with, and must be served
        with (lineage ``hyperparameters.prompt_format``; ``chat`` where the lineage names
        none: a plain PEFT folder, or a run from before the setting).

        Raises:
            ValueError: the lineage names a format this version does not know.
        """
        hyper = (self.lineage or {}).get("hyperparameters") or {}
        try:
            return check_prompt_format(hyper.get("prompt_format", DEFAULT_PROMPT_FORMAT))
        except ValueError as err:
            raise ValueError(f"{self.folder or 'this adapter'}: {err}") from None

    @property
    def label_bias(self) -> dict[str, float] | None:
        """The bias per intention (nats) with which the generation adapter's own likelihood
        labels edits (``labelling.json``); None where the folder has none, and the
        Stage-I predictor labels them.

        Raises:
            ValueError: the file names no bias for some intention, or one that is not a
                finite number.
        """
        if self.labelling is None:
            return None
        bias = self.labelling.get("bias")
        where = f"{self.folder or 'this adapter'}/{LABELLING}"
        if not isinstance(bias, dict) or set(bias) != set(INTENTIONS):
            raise ValueError(f"{where}: 'bias' must give a number for each of {INTENTIONS}")
        for name, value in bias.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
                raise ValueError(f"{where}: the bias of {name!r} is not a number: {value!r}")
            if abs(value) == float("inf"):
                raise ValueError(f"{where}: the bias of {name!r} is not finite")
        return {name: float(bias[name]) for name in INTENTIONS}

    # --- a parent for a run started from it (``init_from``) ------------------------------

    @property
    def parent(self) -> dict[str, Any] | None:
        """The bundle this one was trained from (lineage ``parent``: ``folder``, ``name``);
        None for a run started afresh."""
        return (self.lineage or {}).get(PARENT)

    def parent_record(self) -> dict[str, str]:
        """What a child's lineage records of this bundle as its parent (``parent``).

        Raises:
            ValueError: the bundle was not read from a folder.
        """
        if self.folder is None:
            raise ValueError("a parent must be a bundle read from its folder")
        folder = self.folder.resolve()
        # "folder", not "path": API clients (gradio_client) take any dict with a "path"
        # for a file to download, and the lineage travels in the registry's answers.
        return {"folder": str(folder), "name": folder.name}

    def generation_weights(self) -> dict[str, torch.Tensor]:
        """The generation adapter's tensors as PEFT saved them (keys without the adapter
        name; ``peft.set_peft_model_state_dict`` loads them into a matching model).

        Raises:
            ValueError: the bundle was not read from a folder.
            OSError: no readable weights file.
        """
        if self.folder is None:
            raise ValueError("this bundle was not read from a folder")
        return load_file(self.folder / GENERATION_WEIGHTS)

    def copy_predictor(self, folder: Path) -> None:
        """Copy this bundle's predictor, byte for byte, into the bundle being written in
        ``folder`` (a child trained from it keeps its parent's predictor).

        Raises:
            ValueError: the bundle has no predictor.
        """
        if self.predictor_info is None or self.folder is None:
            raise ValueError(f"{self.folder or 'this adapter'} has no intention predictor")
        shutil.copytree(self.folder / PREDICTOR_DIR, folder / PREDICTOR_DIR)

    def require_records(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(lineage, metrics) of a finished run.

        Raises:
            ValueError: the folder is not a finished training run.
        """
        if self.lineage is None or self.metrics is None:
            raise ValueError(
                f"{self.folder} is not a finished training run (no lineage or metrics)"
            )
        return self.lineage, self.metrics

    def snapshots(self) -> dict[int, Path]:
        """The generation adapter's snapshots kept in this bundle, by step."""
        if self.folder is None:
            return {}
        found: dict[int, Path] = {}
        for path in self.snapshots_path(self.folder).glob(f"{SNAPSHOT_PREFIX}*"):
            step = path.name.removeprefix(SNAPSHOT_PREFIX)
            if path.is_dir() and step.isdigit():
                found[int(step)] = path
        return dict(sorted(found.items()))

    def selection_summary(self) -> dict[str, Any] | None:
        """What the selection record says about the blocks, without the per-step history:
        ``G`` (Stage I's importance counts, else Stage II's), ``s_gen``, the alignment
        ratio and the rest. None without a selection record."""
        data = self.selection
        if data is None:
            return None
        stage1 = data.get("stage1") or {}
        stage2 = data.get("stage2") or {}
        g1, g2 = stage1.get("G"), stage2.get("G")
        return {
            "method": data.get("method"),
            "num_blocks": data.get("num_blocks"),
            "G": g1 if g1 is not None else g2,
            "G_stage1": g1,
            "G_stage2": g2,
            "s_gen": data.get("s_gen"),
            "s_pre": stage1.get("s_pre"),
            "adapter_blocks": data.get("adapter_blocks"),
            "alignment_ratio": data.get("alignment_ratio"),
            "sgen_rule": data.get("sgen_rule"),
            "mean_selected": stage1.get("mean_selected"),
            "dynamic_stage2": stage2.get("dynamic"),
            "s_gen_from_G": stage2.get("s_gen_from_G"),
        }
