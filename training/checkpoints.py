"""Checkpoints of a training run, so that an interrupted run resumes where it stopped.

A run that is killed (Ctrl-C, SIGTERM, a lost machine) leaves no output folder, but it
leaves ``<output>.checkpoint/`` beside it; running the same command again picks up from
the last checkpoint instead of step 1. What the folder holds:

  run.json            the fingerprint of the resolved config and the data hash: only the
                      same run resumes (another config stops with a clear message)
  stage1/             Stage I finished: ``predictor/`` (as in the bundle) and outcome.json
                      (S_gen, its metrics, selection record and step log)
  stage2.pt           Stage II at step k: the adapter tensors, the optimiser, the
                      scheduler, the RNG state and the step log so far (under dynamic
                      selection the log also rebuilds the selection tracker: each entry
                      holds S_t and its measured norms, all the tracker ever records)
  snapshots/step-N/   the generation adapter at step N (PEFT format), when
                      ``snapshot_every`` is set: the budget curve on dev reads them

Stage I is short and restarts whole when interrupted; Stage II resumes at its last
checkpoint (every ``checkpoint_every`` steps). Files are written to a temporary name and
renamed, so a checkpoint is either the old one or the new one, never half of each. The
folder is deleted once the run publishes its output.

Resuming replays the batch schedule (it is a pure function of the seed) up to the saved
step, restores the RNG, and continues; the adapter after N steps is the same whether the
run was interrupted or not (tested).
"""

import hashlib
import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from itune_core.bundle import AdapterBundle
from training.loop import StepLog

log = logging.getLogger(__name__)

RUN_FILE = "run.json"
STAGE1_DIR = "stage1"
STAGE1_OUTCOME = "outcome.json"  # Stage I's selection and metrics inside stage1/
STAGE2_FILE = "stage2.pt"
STAGE1_PREDICTOR = "predictor"  # Stage I's predictor inside stage1/

# Settings that do not change what is trained: a run resumes across them.
_NOT_FINGERPRINTED = ("output", "overwrite", "cpu", "checkpoint_every", "snapshot_every")
# Settings added after runs were checkpointed, left out at the value those runs trained
# with, so that a run checkpointed before a setting existed still resumes.
_NEWER_SETTINGS = {"prompt_format": "chat"}


def checkpoint_dir(output: Path) -> Path:
    """Where the checkpoints of the run publishing ``output`` live."""
    return output.parent / f"{output.name}.checkpoint"


def kept_work(folder: Path) -> str | None:
    """What the checkpoints in ``folder`` keep for a resumed run ("Stage I", "Stage II",
    both), or None where they keep nothing yet (an unfinished Stage I, or a Stage II
    before its first checkpoint)."""
    kept = [
        name
        for name, path in (
            ("Stage I", folder / STAGE1_DIR / STAGE1_OUTCOME),
            ("Stage II", folder / STAGE2_FILE),
        )
        if path.is_file()
    ]
    return " and ".join(kept) or None


def fingerprint(settings: dict[str, Any], data_sha256: str) -> str:
    """A hash of everything that decides the trained weights."""
    kept = {
        k: v
        for k, v in settings.items()
        if k not in _NOT_FINGERPRINTED and (k not in _NEWER_SETTINGS or v != _NEWER_SETTINGS[k])
    }
    text = json.dumps({"settings": kept, "data": data_sha256}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _log_to_dict(entry: StepLog) -> dict[str, Any]:
    return json.loads(entry.to_json())


def _log_from_dict(data: dict[str, Any]) -> StepLog:
    return StepLog(
        stage=data["stage"],
        step=data["step"],
        loss=data["loss"],
        selected=tuple(data["selected"]),
        norms={int(k): v for k, v in data["norms"].items()},
        lr=data["lr"],
        seconds=data["seconds"],
        tokens=data["tokens"],
    )


@dataclass(frozen=True)
class Stage2State:
    """Where Stage II stood at a checkpoint."""

    step: int
    logs: list[StepLog]
    seconds: float


class Checkpoints:
    """The checkpoint folder of one run.

    Args:
        folder: ``checkpoint_dir(output)``.
        run_id: ``fingerprint(...)`` of the run.
        enabled: False on the non-main processes of a multi-process run (they read, the
            main process writes).

    Raises:
        ValueError: the folder holds the checkpoints of another run.
    """

    def __init__(self, folder: Path, run_id: str, *, enabled: bool = True) -> None:
        self.folder, self.run_id, self.enabled = folder, run_id, enabled
        run_file = folder / RUN_FILE
        if run_file.is_file():
            found = json.loads(run_file.read_text(encoding="utf-8")).get("fingerprint")
            if found != run_id:
                raise ValueError(
                    f"{folder} holds checkpoints of a different run (another config or data); "
                    "delete that folder to start afresh, or run the same config to resume it"
                )
        elif enabled:
            folder.mkdir(parents=True, exist_ok=True)
            self._write_bytes(run_file, json.dumps({"fingerprint": run_id}).encode())

    @staticmethod
    def _write_bytes(path: Path, data: bytes) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)

    # --- Stage I ---------------------------------------------------------------------

    @property
    def stage1_dir(self) -> Path:
        return self.folder / STAGE1_DIR

    @property
    def stage1_predictor_dir(self) -> Path:
        """Where the finished Stage I's predictor is kept (``itune_core.bundle`` format)."""
        return self.stage1_dir / STAGE1_PREDICTOR

    def stage1_done(self) -> dict[str, Any] | None:
        """Stage I's saved outcome (S_gen, metrics, selection, logs), or None."""
        path = self.stage1_dir / STAGE1_OUTCOME
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        data["logs"] = [_log_from_dict(entry) for entry in data["logs"]]
        return data

    def save_stage1(self, write_predictor, outcome: dict[str, Any], logs: list[StepLog]) -> None:
        """Save the finished Stage I: ``write_predictor(folder)`` writes the predictor."""
        if not self.enabled:
            return
        staging = self.folder / f"{STAGE1_DIR}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        write_predictor(staging / STAGE1_PREDICTOR)
        data = {**outcome, "logs": [_log_to_dict(entry) for entry in logs]}
        (staging / STAGE1_OUTCOME).write_text(json.dumps(data, allow_nan=True), encoding="utf-8")
        shutil.rmtree(self.stage1_dir, ignore_errors=True)
        os.replace(staging, self.stage1_dir)

    # --- Stage II --------------------------------------------------------------------

    def save_stage2(
        self,
        step: int,
        params: list[nn.Parameter],
        optimizer: torch.optim.Optimizer,
        scheduler,
        logs: list[StepLog],
        seconds: float,
    ) -> None:
        if not self.enabled:
            return
        state = {
            "fingerprint": self.run_id,
            "step": step,
            "params": [p.detach().cpu().clone() for p in params],
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
            "logs": [_log_to_dict(entry) for entry in logs],
            "seconds": seconds,
        }
        tmp = self.folder / f"{STAGE2_FILE}.tmp"
        torch.save(state, tmp)
        os.replace(tmp, self.folder / STAGE2_FILE)
        log.info("checkpoint: Stage II step %d in %s", step, self.folder)

    def load_stage2(
        self, params: list[nn.Parameter], optimizer: torch.optim.Optimizer, scheduler
    ) -> Stage2State | None:
        """Restore Stage II into ``params``, ``optimizer`` and ``scheduler``; None when there
        is no Stage-II checkpoint."""
        path = self.folder / STAGE2_FILE
        if not path.is_file():
            return None
        state = torch.load(path, map_location="cpu", weights_only=False)
        saved = state["params"]
        if state.get("fingerprint") != self.run_id or len(saved) != len(params):
            raise ValueError(f"{path} does not belong to this run; delete {self.folder}")
        with torch.no_grad():
            for param, value in zip(params, saved, strict=True):
                if param.shape != value.shape:
                    raise ValueError(f"{path} does not belong to this run; delete {self.folder}")
                param.copy_(value.to(param.device, param.dtype))
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        torch.set_rng_state(state["rng"])
        if state.get("cuda_rng") is not None and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state["cuda_rng"])
        logs = [_log_from_dict(entry) for entry in state["logs"]]
        log.info("resuming Stage II after step %d from %s", state["step"], self.folder)
        return Stage2State(state["step"], logs, float(state["seconds"]))

    def snapshot_dir(self, step: int) -> Path:
        return AdapterBundle.snapshot_path(AdapterBundle.snapshots_path(self.folder), step)

    def remove(self, keep_snapshots_in: Path | None = None) -> None:
        """Delete the folder once the run is published; snapshots move into
        ``keep_snapshots_in`` (the published output) when given."""
        if not self.enabled:
            return
        snapshots = AdapterBundle.snapshots_path(self.folder)
        if keep_snapshots_in is not None and snapshots.is_dir():
            os.replace(snapshots, AdapterBundle.snapshots_path(keep_snapshots_in))
        shutil.rmtree(self.folder, ignore_errors=True)
