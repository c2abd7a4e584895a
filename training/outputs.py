"""The output folder of a training run: written aside, published whole.

A run writes into a hidden staging folder beside the output (``.NAME.tmp-XXXX``) and
renames it to the output only when every file is there, so an interrupted run leaves
the output absent, or the previous finished run untouched (replaced only with
``overwrite``). What a finished folder holds is the adapter bundle
(``itune_core.bundle.AdapterBundle``, which alone knows its files).
"""

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from itune_core.bundle import AdapterBundle
from training.data import RevisionExample

log = logging.getLogger(__name__)


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
            if not AdapterBundle.is_finished(output):
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


def examples_sha256(examples: Sequence[RevisionExample]) -> str:
    """A hash of the training data snapshot: (before, after, labels) of every example,
    in order, as canonical JSON lines."""
    digest = hashlib.sha256()
    for example in examples:
        row = [example.before, example.after, list(example.labels)]
        digest.update(json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode())
        digest.update(b"\n")
    return digest.hexdigest()
