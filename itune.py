"""The ``itune`` command (installed with ``pip install .``): one entry point that hands its
arguments to the project's own commands.

    itune serve                        # python app.py
    itune train --method lora ...      # python -m training train --method lora ...
    itune evaluate runs/it --limit 50  # python -m training evaluate runs/it --limit 50
    itune worker --once                # python -m training.worker --once
    itune users add ada --admin        # python -m storage.users add ada --admin

Everything after the command's name goes to that command unchanged, and its exit status
is ``itune``'s. Each command is imported only when it runs: ``serve`` alone imports the
app (torch, Gradio), so the others answer as fast as their ``python -m`` forms.
"""

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

SERVE_HELP = """\
usage: itune serve

Run the Revision Studio (as `python app.py`). It takes no arguments: its settings come
from the environment (ITUNE_HOME, ITUNE_MODEL, ITUNE_ADAPTER, ITUNE_DB_URL,
GRADIO_SERVER_NAME, GRADIO_SERVER_PORT, ...), listed in the README and in app.py."""


def serve(args: list[str]) -> int:
    if args in (["-h"], ["--help"]):
        print(SERVE_HELP)
        return 0
    if args:
        print(
            f"itune serve: error: unexpected arguments {' '.join(args)!r}; the app's settings "
            "come from ITUNE_* environment variables (see `itune serve --help`)",
            file=sys.stderr,
        )
        return 2
    import app

    return app.main()


def train(args: list[str]) -> int:
    return _training(["train", *args])


def evaluate(args: list[str]) -> int:
    return _training(["evaluate", *args])


def _training(argv: list[str]) -> int:
    # training.__main__ sets OMP_WAIT_POLICY before torch loads, as `python -m training`
    # does; importing it runs nothing else (its call to main is behind __name__).
    import training.__main__  # noqa: F401
    from training import cli

    return cli.main(argv, prog="itune")


def worker(args: list[str]) -> int:
    from training import worker

    return worker.main(args, prog="itune worker")


def users(args: list[str]) -> int:
    from storage import users

    return users.main(args, prog="itune users")


@dataclass(frozen=True)
class Command:
    """A subcommand: its one-line help and the function that runs it on the rest of argv."""

    help: str
    run: Callable[[list[str]], int]


COMMANDS: dict[str, Command] = {
    "serve": Command("run the web app (python app.py; settings from ITUNE_* variables)", serve),
    "train": Command("train an adapter (python -m training train)", train),
    "evaluate": Command("score an adapter or a baseline (python -m training evaluate)", evaluate),
    "worker": Command(
        "run the queued training runs and evaluations (python -m training.worker)", worker
    ),
    "users": Command("add users, set passwords, list them (python -m storage.users)", users),
}


def usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [f"  {name:<{width}}  {command.help}" for name, command in COMMANDS.items()]
    return "\n".join(
        [
            f"usage: itune {{{','.join(COMMANDS)}}} [ARGS ...]",
            "",
            "The Revision Studio: the web app, training and its tools in one command.",
            "",
            "commands:",
            *lines,
            "",
            "`itune COMMAND --help` shows a command's own options.",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``itune COMMAND ARGS...``. Returns the command's exit status; 2 for a missing
    or unknown command (argparse's status for bad usage)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] in (["-h"], ["--help"]):
        print(usage())
        return 0
    if not argv:
        print(usage(), file=sys.stderr)
        print("\nitune: error: a command is required", file=sys.stderr)
        return 2
    name, args = argv[0], argv[1:]
    command = COMMANDS.get(name)
    if command is None:
        print(
            f"itune: error: unknown command {name!r} (choose from {', '.join(COMMANDS)}; "
            "see `itune --help`)",
            file=sys.stderr,
        )
        return 2
    return command.run(args)


if __name__ == "__main__":
    sys.exit(main())
