"""The command line: ``python -m training train ...`` (and ``evaluate``, see
``training.evaluate``; ``average``, see ``training.average``).

    python -m training train --method intention-tuning --data iterater-sent \\
        --output runs/it-sent --max-steps 300
    python -m training train --config training/configs/intention-tuning-iterater-sent.yaml \\
        --max-steps 50 --set method_config.norm=reference
    accelerate launch --num_processes 2 -m training train --config ...   # several GPUs

Flags override the YAML file; ``--set KEY=VALUE`` (dotted keys, YAML values) overrides
both. The embedded model is converted once into ``$ITUNE_HOME/models`` (``--home``).
Errors end the run with a one-line message and a non-zero exit: 1 for bad input (data,
config, model, output folder), 2 for bad flags, 130 when interrupted.
"""

import argparse
import logging
import os
import shlex
import signal
import sys
import warnings
from pathlib import Path
from typing import Any

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from itune_core.errors import ItuneError
from itune_core.method_config import NORMS
from itune_core.selection import FIRST_STEPS, SGEN_RULES
from storage.environment import home_folder
from training.checkpoints import checkpoint_dir, kept_work
from training.config import SETTINGS, TrainConfig, parse_override, read_yaml, set_dotted
from training.loop import StepLog, TrainingProgress

log = logging.getLogger("training")

PROG = "python -m training"  # how the command is called, unless ``itune`` calls it

# The method switches' flags: flag destination -> dotted key in method_config.
METHOD_FLAGS: dict[str, str] = {
    "lora_r": "method_config.lora.r",
    "lora_alpha": "method_config.lora.lora_alpha",
    "lora_dropout": "method_config.lora.lora_dropout",
    "head_trainable": "method_config.head_trainable",
    "first_step": "method_config.first_step",
    "norm": "method_config.norm",
    "keep_low_max": "method_config.keep_low_max",
    "sgen_rule": "method_config.sgen_rule",
    "sgen_fixed": "method_config.sgen_fixed",
    "varsplit_low": "method_config.varsplit_low",
    "varsplit_high": "method_config.varsplit_high",
}
# flag destination -> config key (dotted for method_config); None values are not given.
# TrainConfig's own flags come from its fields' Settings (training.config.SETTINGS).
FLAG_KEYS: dict[str, str] = {
    **{name: name for name, s in SETTINGS.items() if s.flag},
    **METHOD_FLAGS,
}


def _add_setting_flags(p: argparse.ArgumentParser) -> None:
    """One flag per TrainConfig field that has one, from its Setting; every default is
    None (a flag not given leaves the YAML file's value or the field's default)."""
    for s in SETTINGS.values():
        if not s.flag:
            continue
        help_text = s.help.replace("%", "%%")  # argparse formats help with %
        if s.kind is bool:
            p.add_argument(s.flag_name, action="store_true", default=None, help=help_text)
        elif s.choices is not None:
            p.add_argument(s.flag_name, choices=[c.value for c in s.choices], help=help_text)
        elif s.number_kind is not None:
            p.add_argument(s.flag_name, type=s.number_kind, help=help_text)
        else:
            p.add_argument(s.flag_name, help=help_text)


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Train and evaluate Intention-Tuning adapters and baselines.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser(
        "train",
        help="train an adapter",
        description="Train a generation adapter (and, for intention-tuning, the predictor).",
        argument_default=None,
    )
    p.add_argument("--config", type=Path, help="YAML config (training/configs/*.yaml)")
    _add_setting_flags(p)
    p.add_argument("--lora-r", type=int)
    p.add_argument("--lora-alpha", type=float, help="same in both stages")
    p.add_argument("--lora-dropout", type=float)
    decisions = p.add_argument_group("method decisions (docs/method.md [decision]s)")
    decisions.add_argument("--head-trainable", action=argparse.BooleanOptionalAction)
    decisions.add_argument("--first-step", choices=FIRST_STEPS)
    decisions.add_argument("--norm", choices=NORMS)
    decisions.add_argument("--keep-low-max", action=argparse.BooleanOptionalAction)
    decisions.add_argument("--sgen-rule", choices=SGEN_RULES)
    decisions.add_argument("--sgen-fixed", action=argparse.BooleanOptionalAction)
    decisions.add_argument("--varsplit-low", type=float)
    decisions.add_argument("--varsplit-high", type=float)
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override any config key, e.g. method_config.lora.target_modules=[q_proj,v_proj]",
    )
    p.add_argument("--home", type=Path, help="ITUNE_HOME (default $ITUNE_HOME or ~/.cache/itune)")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    # Imported here, not at the top, so that importing the CLI stays light.
    from training import evaluate

    evaluate.add_parser(commands)
    a = commands.add_parser(
        "average",
        help="average several runs into one adapter",
        description="Write one adapter that is the mean of several runs' weight updates "
        "(runs that differ only in their seed, e.g. trained on from one adapter with "
        "--init-from and --seed). The runs must share base model, method, adapted layers "
        "and, for intention-tuning, S_gen and the predictor.",
    )
    a.add_argument("runs", nargs="+", type=Path, help="the training runs' output folders")
    a.add_argument("--output", type=Path, required=True, help="the new adapter's folder")
    a.add_argument("--overwrite", action="store_true", help="replace a finished run there")
    a.add_argument(
        "--rank",
        type=int,
        help="cut the mean to this LoRA rank by its SVD (default: exact, the sum of the ranks)",
    )
    a.add_argument(
        "--weights",
        type=float,
        nargs="+",
        help="one relative weight per run, in the order given, scaled to sum to one "
        "(default: equal)",
    )
    a.add_argument("--home", type=Path, help="ITUNE_HOME (default $ITUNE_HOME or ~/.cache/itune)")
    a.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    return parser


def resolve_config(args: argparse.Namespace) -> TrainConfig:
    """YAML file, then flags, then ``--set`` overrides, into a validated ``TrainConfig``.

    Raises:
        ValueError: an unreadable file, a bad override, or an invalid config.
    """
    data: dict[str, Any] = read_yaml(args.config) if args.config else {}
    for dest, key in FLAG_KEYS.items():
        value = getattr(args, dest)
        if value is not None:
            set_dotted(data, key, value)
    if args.seed is not None:
        # One --seed drives the data order, the initialisation and the random first step.
        set_dotted(data, "method_config.seed", args.seed)
    for text in args.overrides:
        key, value = parse_override(text)
        set_dotted(data, key, value)
    return TrainConfig.from_dict(data)


class TrainingProgressBars(TrainingProgress):
    """One tqdm bar per stage, with the loss and |S_t| of the last step."""

    def __init__(self, disable: bool = False) -> None:
        self.disable = disable
        self.bar: tqdm | None = None

    def on_stage_start(self, stage: int, name: str, total_steps: int) -> None:
        self.bar = tqdm(total=total_steps, desc=name, unit="step", disable=self.disable)

    def on_step(self, log: StepLog) -> None:
        if self.bar is not None:
            self.bar.set_postfix(loss=f"{log.loss:.4f}", blocks=len(log.selected), refresh=False)
            self.bar.update(1)

    def on_stage_end(self, stage: int) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _interrupt(signum, frame) -> None:
    # SIGTERM (a cancelled worker, `kill`) unwinds like Ctrl-C: the staging folder goes.
    raise KeyboardInterrupt


def run_train(args: argparse.Namespace, argv: list[str]) -> int:
    # Imported here so `--help` and flag errors answer without loading torch.
    from transformers.utils import logging as hf_logging

    from training.recipes import train

    hf_logging.disable_progress_bar()

    config = resolve_config(args)
    main_process = int(os.environ.get("RANK", "0")) == 0
    progress = TrainingProgressBars(disable=not main_process)
    command = f"{args.prog} " + shlex.join(argv)
    with logging_redirect_tqdm():
        try:
            result = train(config, home=home_folder(args.home), progress=progress, command=command)
        except KeyboardInterrupt:
            saved = checkpoint_dir(Path(config.output).expanduser().resolve())
            kept = kept_work(saved) if saved.is_dir() else None
            if main_process and kept:
                print(
                    f"error: interrupted; the output was not written, but {saved} keeps the "
                    f"work done ({kept}): run the same command again to resume there",
                    file=sys.stderr,
                )
                return 130
            if main_process and saved.is_dir():
                print(
                    "error: interrupted before anything was checkpointed (Stage I restarts "
                    "whole; Stage II keeps its first checkpoint after --checkpoint-every "
                    "steps): the output was not written; run the same command again to "
                    "start over",
                    file=sys.stderr,
                )
                return 130
            raise
    if main_process:
        stage2 = result.metrics["stage2"]
        print(
            f"wrote {result.output}: S_gen {list(result.s_gen)}; Stage II loss "
            f"{stage2['loss_first']:.4f} -> {stage2['loss_last']:.4f} in {stage2['steps']} "
            f"steps; {result.metrics['total_seconds']:.1f} s"
        )
    return 0


def run_average(args: argparse.Namespace, argv: list[str]) -> int:
    from training.average import average

    output = average(
        args.runs,
        args.output,
        home=home_folder(args.home),
        overwrite=args.overwrite,
        command=f"{args.prog} " + shlex.join(argv),
        rank=args.rank,
        weights=args.weights,
    )
    print(f"wrote {output}: the mean of {len(args.runs)} runs")
    return 0


def main(argv: list[str] | None = None, prog: str = PROG) -> int:
    """Run ``argv`` (``train ...``, ``evaluate ...`` or ``average ...``); ``prog``: how
    the command was called (the usage line, and the command recorded with an output)."""
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(prog).parse_args(argv)
    args.prog = prog
    level = logging.WARNING if args.verbose == 0 else logging.INFO
    level = logging.DEBUG if args.verbose > 1 else level
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("training").setLevel(min(level, logging.INFO))
    # Our bars are the stage bars; the libraries' own (weights loading, shard writing) and a
    # deprecation notice PEFT triggers inside transformers are noise here.
    warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        if args.command == "evaluate":
            from training import evaluate

            return evaluate.run(args, argv)
        if args.command == "average":
            return run_average(args, argv)
        return run_train(args, argv)
    except KeyboardInterrupt:
        print("error: interrupted; nothing was written", file=sys.stderr)
        return 130
    except (ItuneError, ValueError, OSError) as err:
        log.debug("failed", exc_info=True)
        print(f"error: {err}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
