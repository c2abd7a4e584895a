"""The fixed words of a training job: methods, named data sets, splits, baselines,
precisions and base dtypes, each an ``enum.StrEnum`` defined once.

Members are strings (``Method.LORA == "lora"``, ``f"{Method.LORA}"`` is ``lora``, JSON
writes ``"lora"``), so YAML files, jobs, the database and the HTTP API keep the same
words. Two things differ from a plain string: ``repr`` (``<Method.LORA: 'lora'>``; write
``.value`` into a message or a SQL text) and YAML's safe dumper, which refuses enum members
(``training.config.TrainConfig`` stores plain strings). On Python 3.11 ``"lora" in Method``
raises TypeError: test membership with ``in tuple(Method)``.
"""

from enum import StrEnum


class Method(StrEnum):
    """What is trained: Intention-Tuning (Stage I then Stage II), LoRA or DoRA on every
    block, or IR-Tuning (dynamic selection on generation)."""

    INTENTION_TUNING = "intention-tuning"
    LORA = "lora"
    DORA = "dora"
    IR_TUNING = "ir-tuning"


class DataSetName(StrEnum):
    """The named data sets a job may train on (else ``data`` is a .jsonl/.json path);
    ``feedback`` is the writers' accepted edits, exported when the run starts."""

    ITERATER_SENT = "iterater-sent"
    ITERATER_DOC = "iterater-doc"
    ARGREWRITE = "argrewrite"
    FEEDBACK = "feedback"


class Split(StrEnum):
    TRAIN = "train"
    DEV = "dev"
    TEST = "test"


class Baseline(StrEnum):
    """What an evaluation scores instead of an adapter."""

    COPY = "copy"
    ZERO_SHOT = "zero-shot"


class MixedPrecision(StrEnum):
    """``bf16`` autocast, ``no``, or ``auto`` (bf16 where the hardware runs it natively)."""

    AUTO = "auto"
    BF16 = "bf16"
    NO = "no"


class BaseDtype(StrEnum):
    """The dtype of the frozen base weights; ``auto`` follows the mixed precision."""

    AUTO = "auto"
    FLOAT32 = "float32"
    BFLOAT16 = "bfloat16"
