"""``python -m training average``: one adapter that is the mean of several training runs.

Runs that differ only in their seed (the same data, started from the same adapter with
``--init-from``) disagree on which small errors they fix: a single 200-step run says
little about a recipe. Averaging their weight updates (a "model soup") keeps what the
seeds agree on and is served as one adapter at no extra cost per token.

LoRA factors cannot be averaged one by one (the mean of B_i and of A_i is not the mean of
B_i A_i), so the runs' adapters are concatenated along their rank with PEFT's
``add_weighted_adapter(combination_type="cat")``: rank n x r, and exactly the mean of the
n weight updates. Runs that are themselves means, or many of them, make that rank large
(six rank-48 runs: 288), so ``rank`` can cap it: each module's mean update is then
factored again by its singular value decomposition and cut to that rank (PEFT's
``combination_type="svd"``), and the share of the update's energy (squared Frobenius norm)
that the cut keeps is recorded, per module at worst and over all modules.

``weights`` make the mean a weighted one (say, a parent at 1/2 and three seeds trained on
from it at 1/6 each: half of the way from the parent towards the seeds' mean); they are
relative, scaled to sum to one, and recorded in the lineage.

The runs must share everything but their adapter weights: base model,
method, adapted blocks and modules, and, for intention-tuning, S_gen and the Stage-I
predictor itself (byte for byte, as runs trained on from one adapter keep it), which is
copied into the result. The result is a finished adapter bundle: the app serves it, the
registry lists it, and ``--init-from`` trains on from it.
"""

import hashlib
import logging
import math
import time
from collections.abc import Sequence
from copy import deepcopy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch

from itune_core.adapters import check_adapter_dir
from itune_core.bundle import PREDICTOR_DIR, AdapterBundle
from itune_core.model import load_model
from training.evaluate import base_model_of
from training.outputs import StagingDir, check_output

log = logging.getLogger(__name__)

# adapter_config.json keys that must agree for the mean of the runs to mean anything.
SAME_LAYOUT = ("peft_type", "layers_to_transform", "layers_pattern", "use_dora", "use_rslora")
AVERAGE = "average"  # the lineage key recording the runs averaged


def _predictor_digest(bundle: AdapterBundle) -> str | None:
    """A hash of every file of the bundle's predictor folder; None without one."""
    if bundle.predictor_info is None or bundle.folder is None:
        return None
    digest = hashlib.sha256()
    folder = bundle.folder / PREDICTOR_DIR
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _data_parts(bundle: AdapterBundle) -> set[str]:
    """The data sets a run was trained on (its lineage's data name, split at "+")."""
    name = ((bundle.lineage or {}).get("data") or {}).get("name") or ""
    return set(name.split("+"))


def widest_run(runs: Sequence[tuple[AdapterBundle, dict[str, Any]]]) -> AdapterBundle:
    """The first run whose data holds every other run's data sets: the mean learned from
    all of them, so its lineage is that run's (a parent averaged with runs trained on from
    it with more data, for one).

    Raises:
        ValueError: no run's data holds all the others'.
    """
    for bundle, _ in runs:
        if all(_data_parts(other) <= _data_parts(bundle) for other, _ in runs):
            return bundle
    names = ", ".join(sorted({"+".join(sorted(_data_parts(b))) for b, _ in runs}))
    raise ValueError(
        f"the runs were trained on data none of which holds all the others' ({names}); "
        "the mean's lineage could not say what it learned from"
    )


def check_runs(folders: Sequence[Path]) -> list[tuple[AdapterBundle, dict[str, Any]]]:
    """Read the runs to average and check that their mean is an adapter.

    Returns:
        (bundle, adapter config) per run, in the order given.

    Raises:
        ValueError: fewer than two runs, one given twice, one that is not a finished run,
            or runs that differ in anything but their adapter weights, their prompt format
            included (the message says which run and what); runs may differ in their data
            when one run's data holds all the others' (``widest_run``).
    """
    if len(folders) < 2:
        raise ValueError("averaging needs at least two training runs")
    resolved = [Path(f).expanduser().resolve() for f in folders]
    if len(set(resolved)) != len(resolved):
        raise ValueError("a run is given twice; each run counts once in the mean")
    runs = []
    for folder in folders:
        config = check_adapter_dir(Path(folder))
        bundle = AdapterBundle.read(folder)
        bundle.require_records()
        runs.append((bundle, config))
    first, first_config = runs[0]
    lineage = first.lineage or {}
    predictor = _predictor_digest(first)
    for bundle, config in runs[1:]:
        other = bundle.lineage or {}
        where = f"{bundle.folder} and {first.folder}"
        for key in ("base_model", "method", "s_gen"):
            if other.get(key) != lineage.get(key):
                raise ValueError(
                    f"{where} differ in {key} ({other.get(key)!r} against "
                    f"{lineage.get(key)!r}); only runs that differ in their weights average"
                )
        if bundle.prompt_format != first.prompt_format:
            raise ValueError(
                f"{where} were trained with different prompt formats "
                f"({bundle.prompt_format.value} against {first.prompt_format.value})"
            )
        for key in SAME_LAYOUT:
            if config.get(key) != first_config.get(key):
                raise ValueError(f"{where} adapt different layers ({key} differs)")
        if set(config.get("target_modules") or ()) != set(first_config.get("target_modules") or ()):
            raise ValueError(f"{where} adapt different modules (target_modules differs)")
        if _predictor_digest(bundle) != predictor:
            raise ValueError(
                f"{where} have different intention predictors; average runs trained on "
                "from one adapter (--init-from), which keep its predictor"
            )
    return runs


def _lineage(
    runs: Sequence[tuple[AdapterBundle, dict[str, Any]]],
    rank: int,
    how: str,
    weights: Sequence[float],
) -> dict[str, Any]:
    """The lineage of the run with the widest data (``widest_run``; the first run when
    they share it), with the LoRA rank of the mean and the runs it averages.

    The rank and alpha are the mean's (PEFT sets lora_alpha = r for both ways of
    combining), so ``--init-from`` builds a matching adapter from this lineage."""
    lineage = deepcopy(widest_run(runs).lineage or {})
    lineage["created"] = datetime.now(UTC).isoformat(timespec="seconds")
    lora = (lineage.get("method_config") or {}).get("lora")
    if isinstance(lora, dict):
        lora["r"] = rank
        lora["lora_alpha"] = rank
    parents = {repr((b.lineage or {}).get("parent")) for b, _ in runs}
    if len(parents) != 1:  # no common parent: the mean was not trained from one
        lineage.pop("parent", None)
    lineage[AVERAGE] = {
        "how": how,
        "weights": list(weights),
        "runs": [
            {
                **bundle.parent_record(),
                "seed": ((bundle.lineage or {}).get("hyperparameters") or {}).get("seed"),
                "data": ((bundle.lineage or {}).get("data") or {}).get("name"),
                "created": (bundle.lineage or {}).get("created"),
            }
            for bundle, _ in runs
        ],
    }
    return lineage


def check_weights(weights: Sequence[float] | None, runs: int) -> list[float]:
    """The runs' weights scaled to sum to one (None: equal weights).

    Raises:
        ValueError: not one weight per run, or a weight that is not a positive number.
    """
    if weights is None:
        return [1 / runs] * runs
    if len(weights) != runs:
        raise ValueError(f"{len(weights)} weights for {runs} runs; give one weight per run")
    for weight in weights:
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise ValueError(f"a weight must be a number, got {weight!r}")
        if not math.isfinite(weight) or weight <= 0:
            raise ValueError(f"every weight must be a positive number, got {weight!r}")
    total = math.fsum(weights)
    return [weight / total for weight in weights]


def energy_kept(model, names: Sequence[str], weights: Sequence[float], cut: str) -> dict:
    """How much of the mean update the adapter ``cut`` (the mean cut to a lower rank by
    its SVD) keeps: per LoRA module, its squared Frobenius norm over the mean update's,
    which for a truncated SVD is the share of the squared singular values it keeps (so no
    second SVD is needed); ``worst`` is the lowest module's, ``overall`` the share over all
    modules together."""
    from peft.tuners.lora import LoraLayer

    kept_total = all_total = 0.0
    worst = 1.0
    with torch.no_grad():
        for module in model.modules():
            if not isinstance(module, LoraLayer) or cut not in module.lora_A:
                continue
            delta = sum(w * module.get_delta_weight(n) for n, w in zip(names, weights, strict=True))
            total = float(delta.float().square().sum())
            kept = min(float(module.get_delta_weight(cut).float().square().sum()), total)
            kept_total, all_total = kept_total + kept, all_total + total
            if total > 0:
                worst = min(worst, kept / total)
    return {"worst": worst, "overall": kept_total / all_total if all_total else 1.0}


def average(
    folders: Sequence[Path],
    output: Path,
    *,
    home: Path,
    overwrite: bool = False,
    command: str | None = None,
    rank: int | None = None,
    weights: Sequence[float] | None = None,
) -> Path:
    """Write the mean of the training runs in ``folders`` as a new bundle in ``output``.

    Args:
        folders: finished runs that differ only in their adapter weights (``check_runs``).
        output: the new bundle's folder (refused if it holds anything but, with
            ``overwrite``, a finished run).
        home: ITUNE_HOME, where the embedded model is converted.
        overwrite: replace a finished run in ``output``.
        command: the command line, recorded in the lineage.
        rank: cut the mean to this LoRA rank (its SVD); None keeps it exact (the sum of
            the runs' ranks).
        weights: each run's weight in the mean, relative (``check_weights``); None: equal.

    Returns:
        The published output folder.

    Raises:
        ValueError: see ``check_runs`` and ``check_weights``; an output that would be lost.
        ModelLoadError: the base model cannot be loaded.
    """
    from peft import PeftModel  # seconds to import: only when averaging

    started = time.perf_counter()
    if rank is not None and (isinstance(rank, bool) or not isinstance(rank, int) or rank < 1):
        raise ValueError(f"rank must be a positive integer, got {rank!r}")
    runs = check_runs(folders)
    weights = check_weights(weights, len(runs))
    output = Path(output).expanduser()
    check_output(output, overwrite)
    first, first_config = runs[0]
    source = base_model_of(Path(folders[0]), first.lineage, first_config)
    loaded = load_model(
        source, cache_dir=home / "models", device=torch.device("cpu"), dtype=torch.float32
    )
    names = [f"run{i}" for i in range(len(runs))]
    model = PeftModel.from_pretrained(loaded.model, str(folders[0]), adapter_name=names[0])
    for name, folder in zip(names[1:], folders[1:], strict=True):
        model.load_adapter(str(folder), adapter_name=name)
    kept = None
    if rank is None:
        how = "mean of the runs' weight updates (PEFT add_weighted_adapter, cat)"
        # "default" is the name PEFT saves at the folder's top level.
        model.add_weighted_adapter(names, weights, adapter_name="default", combination_type="cat")
    else:
        how = (
            f"mean of the runs' weight updates, cut to rank {rank} by its SVD "
            "(PEFT add_weighted_adapter, svd)"
        )
        model.add_weighted_adapter(
            names, weights, adapter_name="default", combination_type="svd", svd_rank=rank
        )
        kept = {"rank": rank, **energy_kept(model, names, weights, "default")}
    model.set_adapter("default")
    for name in names:
        model.delete_adapter(name)
    rank = model.peft_config["default"].r
    lineage = _lineage(runs, rank, how, weights)
    if kept is not None:
        lineage[AVERAGE]["energy_kept"] = kept
    lineage["command"] = command  # the run's own command made only that run
    metrics = {
        "method": AVERAGE,
        "runs": len(runs),
        "lora_r": rank,
        "total_seconds": time.perf_counter() - started,
    }
    with StagingDir(output) as staging:
        bundle = AdapterBundle(
            lineage=lineage,
            metrics=metrics,
            selection=widest_run(runs).selection,
            generation=model,
        )
        bundle.save(staging.path, finish=False)
        if first.predictor_info is not None:
            first.copy_predictor(staging.path)
        AdapterBundle(metrics=metrics).save(staging.path)  # last: the folder is finished
        published = staging.publish()
    log.info("averaged %d runs into %s (LoRA rank %d)", len(runs), published, rank)
    if kept is not None:
        log.info(
            "the cut to rank %d keeps %.2f%% of the mean update's energy (worst module %.2f%%)",
            rank,
            100 * kept["overall"],
            100 * kept["worst"],
        )
    return published
