"""Revision corpora as typed examples: IteraTeR-HUMAN (sentence and document level),
ArgRewrite V.2 and any JSON Lines file in the IteraTeR format (the app's feedback export).

Every loader checks its data while reading it, so bad data stops with a ``DataError`` that
names the file, the line (or sheet row) and the field before any training starts.
The corpora live in ``training/corpora`` (see its README); ``root`` points elsewhere.

    from training.data import load_dataset
    train = load_dataset("iterater-sent", "train")   # or "iterater-doc", "argrewrite",
    extra = load_dataset("feedback.jsonl", "train")  # or a .jsonl / .json path
"""

import dataclasses
import json
import logging
import random
import re
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from itune_core.edits import EDIT_TYPES, Edit
from itune_core.errors import ItuneError
from itune_core.intentions import INTENTIONS
from training.everyday import everyday_pairs
from training.informal import informal_pairs
from training.learner_errors import (
    agreement_pairs,
    apostrophe_pairs,
    grammar_error_pairs,
    make_pairs,
    mixed_error_pairs,
    more_error_pairs,
    usage_error_pairs,
)
from training.vocabulary import DataSetName, Split
from training.wordiness import wordy_pairs

log = logging.getLogger(__name__)

CORPORA_ROOT = Path(__file__).resolve().parent / "corpora"
SPLITS = tuple(split.value for split in Split)
# The synthetic sets, each made from one split: learner errors (training.learner_errors),
# labelled fluency, wordy phrases (training.wordiness), labelled clarity, and casual turns
# (training.informal), labelled style; and everyday sentences built from templates with
# one usage error each (training.everyday), labelled fluency.
SYNTHETIC_SETS = (
    "learner-errors",
    "essay-errors",
    "apostrophes",
    "agreement",
    "more-errors",
    "mixed-errors",
    "grammar-errors",
    "usage-errors",
    "wordiness",
    "informal",
    "everyday",
)
# ArgRewrite's own revisions with ITERATER's intentions (``load_argrewrite_intentions``).
ARGREWRITE_INTENTIONS_SET = "argrewrite-intentions"
# The corpora shipped with the project: the named data sets but the writers' feedback
# (exported to a file before a run), ArgRewrite with intentions, and the synthetic learner
# errors.
DATASET_NAMES = (
    *(name.value for name in DataSetName if name is not DataSetName.FEEDBACK),
    ARGREWRITE_INTENTIONS_SET,
    *SYNTHETIC_SETS,
)
# Synthetic fluency pairs made from one split (training.learner_errors): at most this many,
# from this seed, so a name always means the same examples.
LEARNER_ERRORS_MAX = 3000
LEARNER_ERRORS_SEED = 0
# The same errors in the students' essays of ArgRewrite (essay-errors), dropped apostrophes
# and third-person verbs without their -s from both corpora (apostrophes, agreement): at
# most this many each, same seed.
ESSAY_ERRORS_MAX = 1000
APOSTROPHES_MAX = 1000
AGREEMENT_MAX = 1000
# Errors the rules of learner-errors never make (tense, capitals, a dropped "is", "more
# better", misspellings...: ``training.learner_errors.MORE_RULES``), from both corpora.
MORE_ERRORS_MAX = 1000
# Those errors and the learner-errors ones in the same sentence, from both corpora; another
# seed, so its sentences are mostly not more-errors' ones.
MIXED_ERRORS_MAX = 1000
MIXED_ERRORS_SEED = 1
# The grammar errors step 4 of the built-in adapter still left (the -s dropped away from
# the subject, "more bigger", "I am agree", "look forward to meet", "since two hours",
# "loose"): ``training.learner_errors.GRAMMAR_RULES``, from both corpora.
GRAMMAR_ERRORS_MAX = 1000
# Errors of word usage (an uncountable noun made plural, "will" after "if" or "when", "but"
# after "although", "discuss about", "interesting" for "interested", "most of people"):
# ``training.learner_errors.USAGE_RULES``, from both corpora.
USAGE_ERRORS_MAX = 1000
# Wordy phrasing in place of a plain word ("due to the fact that" for "because", "it is
# important to note that" before a sentence...), labelled clarity: ``training.wordiness``,
# from both corpora.
WORDINESS_MAX = 1000
# Casual wording in place of formal ("don't" for "do not", "a lot of" for "many", "looked
# into" for "investigated"...), labelled style: ``training.informal``, from both corpora.
INFORMAL_MAX = 1000
# Everyday sentences from templates (training.everyday), at most this many of each kind:
# "She lives here since 2016", "I have seen it last week", "She speaks very well Greek",
# "explain me", "depends of", "many informations", "When I will get home", "Because ..., so".
EVERYDAY_PER_KIND = 300

# IteraTeR's catch-all label; prior work (and docs/method.md) drops it, leaving 5 classes.
DROPPED_LABEL = "others"

# ArgRewrite's revision purposes: content purposes (codes 1-5), then surface ones (7-10).
ARGREWRITE_LABELS: tuple[str, ...] = (
    "Claims/Ideas",
    "Rebuttal/Reservation",
    "Warrant/Reasoning/Backing",
    "Evidence",
    "General Content Development",
    "Word-Usage/Clarity",
    "Conventions/Grammar/Spelling",
    "Organization",
    "Precision",
)
ARGREWRITE_UNANNOTATED = "unannotated"
# ArgRewrite's purposes as ITERATER's intentions (``argrewrite-intentions``): grammar and
# spelling are fluency, word usage and precision clarity, organization coherence, and
# every content purpose (codes 1-5) changes what the text says.
ARGREWRITE_INTENTIONS: dict[str, str] = {
    "Claims/Ideas": "meaning-changed",
    "Rebuttal/Reservation": "meaning-changed",
    "Warrant/Reasoning/Backing": "meaning-changed",
    "Evidence": "meaning-changed",
    "General Content Development": "meaning-changed",
    "Word-Usage/Clarity": "clarity",
    "Conventions/Grammar/Spelling": "fluency",
    "Organization": "coherence",
    "Precision": "clarity",
}
# ArgRewrite has no official split: writers are shuffled with this seed and cut 80/10/10.
ARGREWRITE_SEED = 13
ARGREWRITE_FRACTIONS = (0.8, 0.1, 0.1)


class DataError(ItuneError):
    """A corpus file is unreadable or breaks its format; says where and what."""

    def __init__(
        self, path: Path | str, line: int | None, field: str | None, problem: str, unit="line"
    ):
        self.path, self.line, self.field, self.problem = str(path), line, field, problem
        where = self.path if line is None else f"{self.path} {unit} {line}"
        what = problem if field is None else f"field {field!r}: {problem}"
        super().__init__(f"{where}: {what}")


@dataclass(frozen=True)
class RevisionExample:
    """One revision: ``before`` -> ``after`` with its intention labels.

    ``source_id`` names where it came from (IteraTeR's ``doc_id``; for ArgRewrite
    ``<writer>/<cycle>/<old sentences>-><new sentences>``), ``line`` its line in a JSON
    Lines file (None for spreadsheets), ``edit_actions`` its edits where the data gives
    them (document level).
    """

    before: str
    after: str
    labels: tuple[str, ...]
    source_id: str
    line: int | None = None
    edit_actions: tuple[Edit, ...] | None = None


@dataclass(frozen=True)
class Dataset:
    """The examples of one split and the label set a classifier over them predicts.

    ``multi_label``: examples may carry several labels (sigmoid + BCE in Stage I);
    otherwise each has exactly one (softmax + cross-entropy). ``provenance`` says which
    files (and for ArgRewrite, which seed and fractions) produced it.
    """

    name: str
    split: str
    examples: tuple[RevisionExample, ...]
    labels: tuple[str, ...]
    multi_label: bool
    provenance: str = ""

    def __post_init__(self) -> None:
        known = set(self.labels)
        for example in self.examples:
            if not example.labels or not known.issuperset(example.labels):
                raise ValueError(
                    f"Dataset.examples: {example.source_id} has labels {example.labels!r} "
                    f"outside {self.labels!r}"
                )
            if not self.multi_label and len(example.labels) != 1:
                raise ValueError(
                    f"Dataset.examples: {example.source_id} has {len(example.labels)} labels "
                    "in a single-label dataset"
                )

    def __len__(self) -> int:
        return len(self.examples)


# --- JSON Lines: reading and field checks ---------------------------------------------


_JSON_TYPES = {
    str: "string",
    int: "integer",
    float: "number",
    list: "array",
    dict: "object",
    bool: "boolean",
    type(None): "null",
}


def _json_type(value: object) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _read_json_lines(path: Path) -> Iterator[tuple[int, dict]]:
    """Yield ``(line number, object)`` for each non-blank line of a JSON Lines file.

    Lines are split on bytes and decoded one by one, so an encoding error names its line.
    """
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise DataError(path, None, None, f"cannot read the file ({err.strerror})") from None
    count = 0
    for number, chunk in enumerate(raw.split(b"\n"), start=1):
        try:
            text = chunk.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as err:
            problem = f"not valid UTF-8 (byte 0x{chunk[err.start]:02x} at column {err.start + 1})"
            raise DataError(path, number, None, problem) from None
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as err:
            problem = f"invalid JSON ({err.msg} at column {err.colno})"
            raise DataError(path, number, None, problem) from None
        except RecursionError:  # json's parser recurses once per nested [ or {
            raise DataError(path, number, None, "invalid JSON (nested too deeply)") from None
        if not isinstance(row, dict):
            raise DataError(path, number, None, f"expected a JSON object, got {_json_type(row)}")
        count += 1
        yield number, row
    if count == 0:
        raise DataError(path, None, None, "the file is empty (no JSON lines)")


def _get(row: dict, name: str, kinds: tuple[type, ...], path, line, prefix="") -> object:
    """``row[name]`` checked against JSON types (``type(None)`` allows null)."""
    if name not in row:
        raise DataError(path, line, prefix + name, "missing")
    value = row[name]
    if isinstance(value, bool) or not isinstance(value, kinds):
        expected = " or ".join(_JSON_TYPES[kind] for kind in kinds)
        raise DataError(path, line, prefix + name, f"expected {expected}, got {_json_type(value)}")
    return value


def _intentions(values: Sequence[object], path, line, field: str) -> tuple[str, ...]:
    """Known intentions in canonical order, ``others`` dropped; empty if only ``others``."""
    found = set()
    for raw in values:
        if not isinstance(raw, str):
            raise DataError(path, line, field, f"expected a string label, got {_json_type(raw)}")
        for part in raw.split(","):
            name = part.strip().lower()
            if name and name not in INTENTIONS and name != DROPPED_LABEL:
                known = ", ".join((*INTENTIONS, DROPPED_LABEL))
                raise DataError(path, line, field, f"unknown label {part!r} (known: {known})")
            found.add(name)
    found.discard("")
    if not found:
        raise DataError(path, line, field, "no label given")
    return tuple(name for name in INTENTIONS if name in found)


def _source_id(row: dict, path: Path, line: int) -> str:
    doc_id = row.get("doc_id")
    if isinstance(doc_id, str | int) and not isinstance(doc_id, bool):
        return str(doc_id)
    return f"{path.name}:{line}"


def _drop_added_space(text: str) -> str:
    # IteraTeR joins sentences with one space and keeps it at the start of a sentence;
    # only that space goes (a second one was in the source text).
    return text[1:] if text.startswith(" ") else text


def _sentence_example(row: dict, path: Path, line: int, iterater: bool) -> RevisionExample:
    before = _get(row, "before_sent", (str,), path, line)
    after = _get(row, "after_sent", (str,), path, line)
    labels = _get(row, "labels", (str, list), path, line)
    if iterater:
        before, after = _drop_added_space(before), _drop_added_space(after)
        if not isinstance(labels, str) or "," in labels:
            raise DataError(path, line, "labels", f"expected one label, got {labels!r}")
    values = [labels] if isinstance(labels, str) else labels
    intentions = _intentions(values, path, line, "labels")
    return RevisionExample(before, after, intentions, _source_id(row, path, line), line)


def _edit(action: object, text: str, path: Path, line: int, field: str) -> Edit:
    if not isinstance(action, dict):
        raise DataError(path, line, field, f"expected an object, got {_json_type(action)}")
    prefix = field + "."
    kind = _get(action, "type", (str,), path, line, prefix)
    if kind not in EDIT_TYPES:
        raise DataError(path, line, prefix + "type", f"expected one of {EDIT_TYPES}, got {kind!r}")
    start = _get(action, "start_char_pos", (int,), path, line, prefix)
    end = _get(action, "end_char_pos", (int,), path, line, prefix)
    before = _get(action, "before", (str, type(None)), path, line, prefix) or ""
    after = _get(action, "after", (str, type(None)), path, line, prefix) or ""
    if not 0 <= start <= end <= len(text) or text[start:end] != before:
        problem = f"does not match before_revision[{start}:{end}]"
        raise DataError(path, line, prefix + "before", problem)
    key = "major_intent" if "major_intent" in action or "intention" not in action else "intention"
    intent = _get(action, key, (str, type(None)), path, line, prefix)
    if intent is not None:
        labels = _intentions([intent], path, line, prefix + key)
        if len(labels) > 1:
            raise DataError(path, line, prefix + key, f"expected one label, got {intent!r}")
        intent = labels[0] if labels else DROPPED_LABEL
    return Edit(kind, before, after, start, end, intent)


def _document_example(row: dict, path: Path, line: int) -> RevisionExample:
    before = _get(row, "before_revision", (str,), path, line)
    after = _get(row, "after_revision", (str,), path, line)
    actions = _get(row, "edit_actions", (list,), path, line)
    edits = tuple(
        _edit(action, before, path, line, f"edit_actions[{i}]") for i, action in enumerate(actions)
    )
    # Unlabelled (null) and `others` edits stay in edit_actions but give no label.
    found = {edit.intention for edit in edits}
    labels = tuple(name for name in INTENTIONS if name in found)
    return RevisionExample(before, after, labels, _source_id(row, path, line), line, edits)


def _split_file(root: Path, folder: str, split: str) -> Path:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    return Path(root) / folder / f"{split}.json"


def _kept(examples: list[RevisionExample], path: Path) -> tuple[RevisionExample, ...]:
    kept = tuple(example for example in examples if example.labels)
    if len(kept) < len(examples):
        dropped = len(examples) - len(kept)
        log.info("%s: dropped %d examples with no label but 'others' (or none)", path, dropped)
    if not kept:
        raise DataError(path, None, None, f"no examples left after dropping {DROPPED_LABEL!r}")
    return kept


# --- IteraTeR and JSON Lines loaders ------------------------------------------------------


def load_iterater_sent(split: str, root: Path = CORPORA_ROOT) -> Dataset:
    """ITERATER-sent: one edit per example, one intention each; ``others`` rows dropped."""
    path = _split_file(root, "iterater/human_sent_level", split)
    rows = [_sentence_example(row, path, n, iterater=True) for n, row in _read_json_lines(path)]
    return Dataset("iterater-sent", split, _kept(rows, path), INTENTIONS, False, str(path))


def load_iterater_doc(split: str, root: Path = CORPORA_ROOT) -> Dataset:
    """ITERATER-doc: whole documents labelled with the distinct intentions of their edits
    (``others`` left out; a document with only ``others`` edits is dropped)."""
    path = _split_file(root, "iterater/human_doc_level", split)
    rows = [_document_example(row, path, n) for n, row in _read_json_lines(path)]
    return Dataset("iterater-doc", split, _kept(rows, path), INTENTIONS, True, str(path))


def _revised_only_here(split: str, root: Path) -> list[str]:
    """ITERATER-sent's revised sentences of ``split``. IteraTeR repeats a few sentences
    across its splits (3-6 per split): a sentence any other split holds is left out, so no
    split's synthetic pairs show another split's text."""
    elsewhere = {
        text.strip()
        for other in SPLITS
        if other != split
        for example in load_iterater_sent(other, root).examples
        for text in (example.before, example.after)
    }
    return [
        e.after
        for e in load_iterater_sent(split, root).examples
        if e.after.strip() not in elsewhere
    ]


def load_learner_errors(split: str, root: Path = CORPORA_ROOT) -> Dataset:
    """Synthetic fluency pairs: learner errors injected into the revised (clean) sentences
    of ITERATER-sent's ``split`` (``training.learner_errors``); train pairs come from train
    sentences that no other split holds, so dev and test stay unseen."""
    clean = load_iterater_sent(split, root)
    pairs = make_pairs(_revised_only_here(split, root), LEARNER_ERRORS_MAX, LEARNER_ERRORS_SEED)
    provenance = (
        f"{clean.provenance}: revised sentences with injected learner errors "
        f"(max {LEARNER_ERRORS_MAX}, seed {LEARNER_ERRORS_SEED})"
    )
    return _synthetic_pairs("learner-errors", split, pairs, provenance)


def _essay_sentences(split: str, root: Path) -> list[str]:
    """The revised sentences of the ArgRewrite writers of ``split``, curly apostrophes
    straightened (as most writers type them, and as the error rules read them)."""
    return [e.after.replace("\u2019", "'") for e in load_argrewrite(split, root).examples]


def _synthetic_pairs(
    name: str,
    split: str,
    pairs: Sequence[tuple[str, str, tuple[str, ...]]],
    provenance: str,
    intention: str = "fluency",
) -> Dataset:
    examples = tuple(
        RevisionExample(noisy, fixed, (intention,), f"{name}/{'+'.join(rules)}/{n}")
        for n, (noisy, fixed, rules) in enumerate(pairs)
    )
    return Dataset(name, split, examples, INTENTIONS, False, provenance)


def load_essay_errors(split: str, root: Path = CORPORA_ROOT) -> Dataset:
    """The learner errors of ``load_learner_errors`` injected into students' essays: the
    revised sentences of the ArgRewrite writers of ``split`` (its writer split keeps
    dev and test writers unseen). Nearer the register of a learner's draft than
    ITERATER's academic prose."""
    sentences = _essay_sentences(split, root)
    pairs = make_pairs(sentences, ESSAY_ERRORS_MAX, LEARNER_ERRORS_SEED)
    provenance = (
        f"ArgRewrite {split} writers' revised sentences with injected learner errors "
        f"(max {ESSAY_ERRORS_MAX}, seed {LEARNER_ERRORS_SEED})"
    )
    return _synthetic_pairs("essay-errors", split, pairs, provenance)


def _pairs_from_both(
    name: str,
    split: str,
    root: Path,
    make_pairs_from,
    cap: int,
    made: str,
    seed: int = LEARNER_ERRORS_SEED,
    intention: str = "fluency",
) -> Dataset:
    """A synthetic set made by ``make_pairs_from(sentences, cap, seed)`` from the revised
    sentences of ``split`` in ITERATER-sent and ArgRewrite, labelled ``intention``; ``made``
    says in the provenance what was done to them."""
    sentences = _revised_only_here(split, root) + _essay_sentences(split, root)
    pairs = make_pairs_from(sentences, cap, seed)
    provenance = (
        f"ITERATER-sent and ArgRewrite {split} revised sentences{made} (max {cap}, seed {seed})"
    )
    return _synthetic_pairs(name, split, pairs, provenance, intention)


def load_apostrophes(split: str, root: Path = CORPORA_ROOT) -> Dataset:
    """Dropped apostrophes ("its not" for "it's not", "dont"), from the revised sentences of
    ``split`` in ITERATER-sent and ArgRewrite that hold a contraction or a full form to
    contract (``training.learner_errors.apostrophe_pairs``)."""
    made = ", one apostrophe dropped"
    return _pairs_from_both("apostrophes", split, root, apostrophe_pairs, APOSTROPHES_MAX, made)


def load_agreement(split: str, root: Path = CORPORA_ROOT) -> Dataset:
    """Third-person verbs without their -s ("She propose" for "She proposes"), from the
    revised sentences of ``split`` in ITERATER-sent and ArgRewrite whose "we" or "they"
    subject is made singular (``training.learner_errors.agreement_pairs``)."""
    made = ", a plural subject made singular and its verb left without -s"
    return _pairs_from_both("agreement", split, root, agreement_pairs, AGREEMENT_MAX, made)


def load_more_errors(split: str, root: Path = CORPORA_ROOT) -> Dataset:
    """The learner errors the other synthetic sets never make (present tense after a
    past-time marker, a lowercase "i" or sentence start, a dropped "is", "more better", a
    modal's verb inflected, a bare gerund, common misspellings, "since" for "for" a
    duration), one or two per sentence, from the revised sentences of ``split`` in
    ITERATER-sent and ArgRewrite (``training.learner_errors.more_error_pairs``)."""
    made = " with injected learner errors of other kinds"
    return _pairs_from_both("more-errors", split, root, more_error_pairs, MORE_ERRORS_MAX, made)


def load_mixed_errors(split: str, root: Path = CORPORA_ROOT) -> Dataset:
    """Sentences with errors of both kinds at once: those of ``load_more_errors`` and one
    or two of ``load_learner_errors`` on top (2-4 errors), from the revised sentences of
    ``split`` in ITERATER-sent and ArgRewrite
    (``training.learner_errors.mixed_error_pairs``)."""
    made = " with learner errors of several kinds injected together"
    return _pairs_from_both(
        "mixed-errors",
        split,
        root,
        mixed_error_pairs,
        MIXED_ERRORS_MAX,
        made,
        seed=MIXED_ERRORS_SEED,
    )


def load_grammar_errors(split: str, root: Path = CORPORA_ROOT) -> Dataset:
    """One grammar error of ``training.learner_errors.GRAMMAR_RULES`` per sentence (a verb's
    -s dropped away from its subject, a doubled comparative, "am" before a verb, the bare
    verb after the preposition "to", "since" for "for", "loose"), from the revised sentences
    of ``split`` in ITERATER-sent and ArgRewrite (``grammar_error_pairs``)."""
    made = " with one grammar error each injected"
    return _pairs_from_both(
        "grammar-errors", split, root, grammar_error_pairs, GRAMMAR_ERRORS_MAX, made
    )


def load_usage_errors(split: str, root: Path = CORPORA_ROOT) -> Dataset:
    """One error of word usage of ``training.learner_errors.USAGE_RULES`` per sentence (an
    uncountable noun made plural, "will" in a clause of time or condition, a second
    connector after "although" or "because", a preposition after a verb that takes none, a
    present participle for the past one, "most of" before a bare plural), from the revised
    sentences of ``split`` in ITERATER-sent and ArgRewrite (``usage_error_pairs``)."""
    made = " with one usage error each injected"
    return _pairs_from_both("usage-errors", split, root, usage_error_pairs, USAGE_ERRORS_MAX, made)


def load_wordiness(split: str, root: Path = CORPORA_ROOT) -> Dataset:
    """One wordy phrase of ``training.wordiness.WORDY_RULES`` per sentence, in place of the
    plain word it pads ("due to the fact that" for "because"), labelled clarity, from the
    revised sentences of ``split`` in ITERATER-sent and ArgRewrite (``wordy_pairs``)."""
    made = " with one wordy phrase each"
    return _pairs_from_both(
        "wordiness", split, root, wordy_pairs, WORDINESS_MAX, made, intention="clarity"
    )


def load_informal(split: str, root: Path = CORPORA_ROOT) -> Dataset:
    """One casual turn of ``training.informal.INFORMAL_RULES`` per formal sentence, in place
    of the formal wording ("don't" for "do not"), labelled style, from the revised
    sentences of ``split`` in ITERATER-sent and ArgRewrite (``informal_pairs``)."""
    made = " with one casual turn each"
    return _pairs_from_both(
        "informal", split, root, informal_pairs, INFORMAL_MAX, made, intention="style"
    )


def load_everyday(split: str) -> Dataset:
    """Everyday sentences made from ``training.everyday``'s templates, each with one usage
    error of ``training.everyday.KINDS`` (at most ``EVERYDAY_PER_KIND`` of each kind whose
    clean sentence hashes into ``split``), labelled fluency. No corpus is read."""
    pairs = everyday_pairs(split, EVERYDAY_PER_KIND)
    provenance = (
        f"everyday sentences from training.everyday's templates, {split} by hash, one usage "
        f"error each (max {EVERYDAY_PER_KIND} per kind)"
    )
    return _synthetic_pairs("everyday", split, pairs, provenance)


def load_jsonl(path: Path | str, split: str = "train") -> Dataset:
    """Any JSON Lines file in the IteraTeR format, one revision per line, in either style:

    - sentence: ``before_sent``, ``after_sent``, ``labels`` (a string or a list);
    - document: ``before_revision``, ``after_revision``, ``edit_actions`` whose intent is
      in ``major_intent`` (IteraTeR) or ``intention`` (the app's export; null: unlabelled).

    Text is kept exactly as written. ``multi_label`` is true when any line is
    document-style or carries several labels.
    """
    path = Path(path)
    rows = []
    for n, row in _read_json_lines(path):
        if "before_revision" in row or "edit_actions" in row:
            rows.append(_document_example(row, path, n))
        elif "before_sent" in row:
            rows.append(_sentence_example(row, path, n, iterater=False))
        else:
            problem = "missing (a line needs before_sent or before_revision)"
            raise DataError(path, n, "before_sent", problem)
    examples = _kept(rows, path)
    multi = any(e.edit_actions is not None or len(e.labels) > 1 for e in examples)
    return Dataset(str(path), split, examples, INTENTIONS, multi, str(path))


# --- ArgRewrite V.2 -----------------------------------------------------------------------

_WRITER = re.compile(r"Annotation_2018argrewrite_(\d+)\D")
_SHEETS = {"old": "Old Draft", "new": "New Draft"}
_ALIGN_NONE = ("ADD", "DELETE")  # an added (New Draft) or deleted (Old Draft) sentence


def _argrewrite_files(root: Path) -> dict[int, list[Path]]:
    folder = Path(root) / "argrewrite_v2" / "annotations"
    files: dict[int, list[Path]] = {}
    for path in sorted(folder.glob("*/*/Annotation_2018argrewrite_*.xlsx")):
        files.setdefault(int(_WRITER.match(path.name).group(1)), []).append(path)
    if not files:
        raise DataError(folder, None, None, "no ArgRewrite annotation files found")
    return files


def argrewrite_writer_splits(
    root: Path = CORPORA_ROOT,
    seed: int = ARGREWRITE_SEED,
    fractions: Sequence[float] = ARGREWRITE_FRACTIONS,
) -> dict[str, tuple[int, ...]]:
    """The ArgRewrite writer (essay) ids of each split: the sorted ids shuffled with
    ``seed`` and cut by ``fractions`` (train, dev, test), so no writer spans two splits."""
    if len(fractions) != 3 or min(fractions) <= 0 or abs(sum(fractions) - 1) > 1e-6:
        raise ValueError(f"fractions must be 3 positive numbers summing to 1, got {fractions!r}")
    writers = sorted(_argrewrite_files(root))
    random.Random(seed).shuffle(writers)
    n_train = round(fractions[0] * len(writers))
    n_dev = round(fractions[1] * len(writers))
    if not 0 < n_train < n_train + n_dev < len(writers):
        raise ValueError(f"fractions {fractions!r} leave a split of {len(writers)} writers empty")
    cuts = {"train": writers[:n_train], "dev": writers[n_train : n_train + n_dev]}
    cuts["test"] = writers[n_train + n_dev :]
    return {split: tuple(sorted(ids)) for split, ids in cuts.items()}


@dataclass(frozen=True)
class _Sentence:
    text: str
    aligned: tuple[int, ...]
    purposes: frozenset[str]


def _purposes(value: object, where: str, row: int, column: str) -> set[str]:
    if value is None:
        return set()
    if not isinstance(value, str):
        raise DataError(where, row, column, f"expected text, got {value!r}", "row")
    canonical = {label.lower(): label for label in ARGREWRITE_LABELS}
    found = set()
    for part in value.split(","):
        name = part.strip().lower()
        if name in ("", ARGREWRITE_UNANNOTATED):
            continue
        if name not in canonical:
            known = ", ".join(ARGREWRITE_LABELS)
            problem = f"unknown purpose {part.strip()!r} (known: {known})"
            raise DataError(where, row, column, problem, "row")
        found.add(canonical[name])
    return found


def _read_sheet(path: Path, sheet) -> dict[int, _Sentence]:
    where = f"{path} sheet {sheet.title!r}"
    rows = list(sheet.iter_rows(values_only=True))
    header = {name: i for i, name in enumerate(rows[0] if rows else ()) if isinstance(name, str)}
    for name in ("Sentence Index", "Sentence Content", "Aligned Index"):
        if name not in header:
            raise DataError(where, 1, name, "missing column", "row")
    purpose_columns = [name for name in header if name.startswith("Revision Purpose")]
    sentences = {}
    for number, row in enumerate(rows[1:], start=2):
        if all(value is None for value in row):
            continue
        index, text = row[header["Sentence Index"]], row[header["Sentence Content"]]
        aligned = row[header["Aligned Index"]]
        if isinstance(index, bool) or not isinstance(index, int | float) or index != int(index):
            raise DataError(where, number, "Sentence Index", f"expected a number: {index!r}", "row")
        if not isinstance(text, str):
            raise DataError(where, number, "Sentence Content", f"expected text: {text!r}", "row")
        if isinstance(aligned, int | float) and not isinstance(aligned, bool):
            aligned = str(int(aligned))
        if not isinstance(aligned, str) or not re.fullmatch(r"ADD|DELETE|\d+(,\d+)*", aligned):
            problem = f"expected ADD, DELETE or sentence numbers like '3,4', got {aligned!r}"
            raise DataError(where, number, "Aligned Index", problem, "row")
        purposes = set()
        for column in purpose_columns:
            purposes |= _purposes(row[header[column]], where, number, column)
        pairs = () if aligned in _ALIGN_NONE else tuple(int(j) for j in aligned.split(","))
        sentences[int(index)] = _Sentence(text, pairs, frozenset(purposes))
    return sentences


def _argrewrite_examples(path: Path, writer: int, include_added_deleted: bool):
    """One example per group of aligned sentences (1-1, 1-many or many-1) that carries a
    purpose; the purposes of every sentence in the group are its labels."""
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Workbook contains no default style")
            workbook = openpyxl.load_workbook(path)  # not read_only: it misreads these sheets
    except (OSError, zipfile.BadZipFile, InvalidFileException) as err:
        raise DataError(path, None, None, f"cannot open the workbook ({err})") from None
    sheets = {}
    for side, title in _SHEETS.items():
        if title not in workbook.sheetnames:
            raise DataError(path, None, None, f"missing sheet {title!r}")
        sheets[side] = _read_sheet(path, workbook[title])
    parent = {(side, i): (side, i) for side, sentences in sheets.items() for i in sentences}

    def root_of(node):
        while parent[node] != node:
            node = parent[node]
        return node

    for side, other in (("old", "new"), ("new", "old")):
        for i, sentence in sheets[side].items():
            for j in sentence.aligned:
                if j not in sheets[other]:
                    where = f"{path} sheet {_SHEETS[side]!r} sentence {i}"
                    problem = f"sentence {j} is not on sheet {_SHEETS[other]!r}"
                    raise DataError(where, None, "Aligned Index", problem)
                parent[root_of((side, i))] = root_of((other, j))
    groups: dict[tuple, list] = {}
    # Old Draft order first, then sentences only on the New Draft (added) in their order.
    for node in sorted(parent, key=lambda node: (node[0] != "old", node[1])):
        groups.setdefault(root_of(node), []).append(node)
    examples = []
    for nodes in groups.values():
        old = sorted(i for side, i in nodes if side == "old")
        new = sorted(i for side, i in nodes if side == "new")
        found = set().union(*(sheets[side][i].purposes for side, i in nodes))
        if not found or (not include_added_deleted and not (old and new)):
            continue
        source_id = (
            f"2018argrewrite_{writer}/{path.parent.name}/"
            f"{','.join(map(str, old))}->{','.join(map(str, new))}"
        )
        examples.append(
            RevisionExample(
                before=" ".join(sheets["old"][i].text for i in old),
                after=" ".join(sheets["new"][i].text for i in new),
                labels=tuple(label for label in ARGREWRITE_LABELS if label in found),
                source_id=source_id,
            )
        )
    return examples


def load_argrewrite(
    split: str,
    root: Path = CORPORA_ROOT,
    seed: int = ARGREWRITE_SEED,
    fractions: Sequence[float] = ARGREWRITE_FRACTIONS,
    include_added_deleted: bool = False,
) -> Dataset:
    """ArgRewrite V.2 revised sentences with their revision purposes (multi-label).

    Each example is a group of aligned sentences, Old Draft -> New Draft, from both
    revision cycles (draft 1->2 and 2->3) of the writers in ``split`` (see
    ``argrewrite_writer_splits``). Added sentences (before "") and deleted ones (after "")
    are left out unless ``include_added_deleted``: revising text needs text to revise.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    writers = argrewrite_writer_splits(root, seed, fractions)[split]
    files = _argrewrite_files(root)
    examples = [
        example
        for writer in writers
        for path in files[writer]
        for example in _argrewrite_examples(path, writer, include_added_deleted)
    ]
    provenance = (
        f"{Path(root) / 'argrewrite_v2'}: writers {', '.join(map(str, writers))}; "
        f"seed={seed} fractions={tuple(fractions)} include_added_deleted={include_added_deleted}"
    )
    return Dataset("argrewrite", split, tuple(examples), ARGREWRITE_LABELS, True, provenance)


def load_argrewrite_intentions(split: str, root: Path = CORPORA_ROOT) -> Dataset:
    """ArgRewrite's revised sentences (``load_argrewrite``, the same writer split) labelled
    with ITERATER's intentions by ``ARGREWRITE_INTENTIONS``, so they can be trained and
    scored beside ITERATER-sent: real students' revisions of their own essays. A revision
    whose purposes map to two intentions, or that leaves the text as it was, is left out
    (ITERATER-sent gives each revision one intention)."""
    source = load_argrewrite(split, root)
    examples = []
    for example in source.examples:
        intentions = {ARGREWRITE_INTENTIONS[label] for label in example.labels}
        if len(intentions) == 1 and example.before.strip() != example.after.strip():
            examples.append(dataclasses.replace(example, labels=(intentions.pop(),)))
    provenance = f"{source.provenance}; purposes mapped to intentions, one each"
    return Dataset("argrewrite-intentions", split, tuple(examples), INTENTIONS, False, provenance)


def load_dataset(
    name_or_path: str | Path,
    split: str,
    root: Path = CORPORA_ROOT,
    seed: int = ARGREWRITE_SEED,
    include_added_deleted: bool = False,
) -> Dataset:
    """A corpus by name (``DATASET_NAMES``) or a ``.jsonl``/``.json`` file by path;
    names joined by ``+`` (``iterater-sent+learner-errors``) are one dataset of all their
    examples, in that order (they must share the label set).

    ``seed`` and ``include_added_deleted`` apply to ArgRewrite only (see
    ``load_argrewrite``); record them with whatever is trained on it.
    """
    if isinstance(name_or_path, str) and "+" in name_or_path and not Path(name_or_path).exists():
        parts = [
            load_dataset(part, split, root, seed, include_added_deleted)
            for part in name_or_path.split("+")
        ]
        if len({part.labels for part in parts}) > 1:
            raise ValueError(f"{name_or_path!r}: the datasets have different label sets")
        return Dataset(
            name_or_path,
            split,
            tuple(example for part in parts for example in part.examples),
            parts[0].labels,
            any(part.multi_label for part in parts),
            "; ".join(part.provenance for part in parts),
        )
    if name_or_path == "iterater-sent":
        return load_iterater_sent(split, root)
    if name_or_path == "learner-errors":
        return load_learner_errors(split, root)
    if name_or_path == "essay-errors":
        return load_essay_errors(split, root)
    if name_or_path == "apostrophes":
        return load_apostrophes(split, root)
    if name_or_path == "agreement":
        return load_agreement(split, root)
    if name_or_path == "more-errors":
        return load_more_errors(split, root)
    if name_or_path == "mixed-errors":
        return load_mixed_errors(split, root)
    if name_or_path == "grammar-errors":
        return load_grammar_errors(split, root)
    if name_or_path == "usage-errors":
        return load_usage_errors(split, root)
    if name_or_path == "wordiness":
        return load_wordiness(split, root)
    if name_or_path == "informal":
        return load_informal(split, root)
    if name_or_path == "everyday":
        return load_everyday(split)
    if name_or_path == "iterater-doc":
        return load_iterater_doc(split, root)
    if name_or_path == ARGREWRITE_INTENTIONS_SET:
        return load_argrewrite_intentions(split, root)
    if name_or_path == "argrewrite":
        return load_argrewrite(split, root, seed, include_added_deleted=include_added_deleted)
    if Path(name_or_path).suffix in (".jsonl", ".json"):
        return load_jsonl(name_or_path, split)
    raise ValueError(
        f"dataset must be one of {DATASET_NAMES} or a .jsonl/.json path, got {name_or_path!r}"
    )
