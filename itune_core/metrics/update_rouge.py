"""Update-ROUGE (Update-R; Iv et al. 2022, FRUIT; reported by EditEval): ROUGE-L on
what a revision adds.

Per example, the *added sentences* of a text are its sentences that are not sentences of
the source (sentences from ``itune_core.segment.split_pieces``, compared after collapsing
whitespace, case-sensitively). Update-R is the ROUGE-Lsum F1 between the output's added
sentences and the reference's; when neither adds a token it is 1 (nothing to add, and
nothing added), and when only one side adds something it is 0. The corpus score is the
mean over examples, an example with several references counting the mean over them
(EditEval averages per reference; the two agree when every example has the same number),
times 100.

ROUGE-Lsum is the summary-level ROUGE-L of Lin (2004) as ROUGE-1.5.5 and Google's
``rouge_score`` compute it: for each reference sentence, the union of its LCS token
positions with every candidate sentence gives its hits, each token counted at most as
often as it occurs in the reference and in the candidate (ROUGE-1.5.5's clipping);
P = hits / candidate tokens, R = hits / reference tokens, F1 = 2PR / (P + R). Tokens are
``rouge_score``'s defaults without stemming: lowercase runs of ``[a-z0-9]``.

Differences from EditEval's script, on purpose: it finds sentences with the regex
``[^.]+\\.?`` and calls one added when it is not a *substring* of the source, then joins the
added sentences into one line (so its "Lsum" is plain ROUGE-L on the concatenation), and
averages with a bootstrap; we use the project's sentence splitter, whole-sentence
membership, true summary-level LCS, and an exact mean.
"""

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from itune_core.metrics.corpus import check_corpus
from itune_core.segment import split_pieces

_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class RougeScore:
    """Precision, recall and F1 of a ROUGE comparison, each in [0, 1]."""

    precision: float
    recall: float
    f1: float


def rouge_tokens(text: str) -> list[str]:
    """``rouge_score``'s default tokens: lowercase runs of ASCII letters and digits.

    Args:
        text: any text.

    Returns:
        The tokens in order; punctuation and other characters separate tokens.
    """
    return _WORD.findall(text.lower())


def lcs_positions(a: Sequence[str], b: Sequence[str]) -> list[int]:
    """Positions in ``a`` of one longest common subsequence of ``a`` and ``b``.

    Args:
        a: the first token sequence (a reference sentence in ROUGE-Lsum).
        b: the second token sequence.

    Returns:
        Increasing indices into ``a``; their tokens form an LCS. Ties are broken as in
        ROUGE-1.5.5 and ``rouge_score`` (a match is taken, else the longer prefix of ``b``).
    """
    # table[i][j]: LCS length of a[:i] and b[:j].
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, token in enumerate(a, 1):
        row, above = table[i], table[i - 1]
        for j, other in enumerate(b, 1):
            row[j] = above[j - 1] + 1 if token == other else max(above[j], row[j - 1])
    positions = []
    i, j = len(a), len(b)
    while i > 0 and j > 0:
        if a[i - 1] == b[j - 1]:
            positions.append(i - 1)
            i, j = i - 1, j - 1
        elif table[i][j - 1] > table[i - 1][j]:
            j -= 1
        else:
            i -= 1
    return positions[::-1]


def rouge_lsum(
    candidate: Sequence[Sequence[str]], reference: Sequence[Sequence[str]]
) -> RougeScore:
    """Summary-level ROUGE-L (ROUGE-Lsum) of tokenized sentences.

    Args:
        candidate: the candidate's sentences, each a list of tokens.
        reference: the reference's sentences, each a list of tokens.

    Returns:
        Precision, recall and F1; all 0 when either side has no tokens.
    """
    cand_len = sum(len(sentence) for sentence in candidate)
    ref_len = sum(len(sentence) for sentence in reference)
    if cand_len == 0 or ref_len == 0:
        return RougeScore(0.0, 0.0, 0.0)
    cand_left = Counter(token for sentence in candidate for token in sentence)
    ref_left = Counter(token for sentence in reference for token in sentence)
    hits = 0
    for sentence in reference:
        union = set().union(*(lcs_positions(sentence, other) for other in candidate))
        for position in sorted(union):
            token = sentence[position]
            if cand_left[token] > 0 and ref_left[token] > 0:
                hits += 1
                cand_left[token] -= 1
                ref_left[token] -= 1
    precision, recall = hits / cand_len, hits / ref_len
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return RougeScore(precision, recall, f1)


def _sentences(text: str) -> list[str]:
    return [" ".join(text[a:b].split()) for a, b in split_pieces(text)]


def added_sentences(source: str, text: str) -> list[str]:
    """The sentences of ``text`` that are not sentences of ``source``.

    Args:
        source: the text before revision.
        text: a revision of it (an output or a reference).

    Returns:
        The added sentences in order, whitespace collapsed.
    """
    known = set(_sentences(source))
    return [sentence for sentence in _sentences(text) if sentence not in known]


def update_rouge_example(source: str, output: str, references: Sequence[str]) -> float:
    """Update-R of one example: the mean over its references.

    Args:
        source: the text before revision.
        output: the system revision.
        references: one or more reference revisions.

    Returns:
        The mean ROUGE-Lsum F1 of the added sentences, in [0, 1]; against a reference
        where neither side adds a token the F1 counts as 1.

    Raises:
        ValueError: the references are empty or a bare string.
    """
    references = check_corpus([source], [output], [references])[0]
    candidate = [rouge_tokens(s) for s in added_sentences(source, output)]
    total = 0.0
    for reference in references:
        target = [rouge_tokens(s) for s in added_sentences(source, reference)]
        if any(candidate) or any(target):
            total += rouge_lsum(candidate, target).f1
        else:
            total += 1.0
    return total / len(references)


def update_rouge(
    sources: Sequence[str],
    outputs: Sequence[str],
    references_list: Sequence[Sequence[str]],
) -> float:
    """Corpus Update-R: the mean over examples of ``update_rouge_example``.

    Args:
        sources: the texts before revision.
        outputs: the system revisions, one per source.
        references_list: for each source, one or more reference revisions.

    Returns:
        Update-R in [0, 100].

    Raises:
        ValueError: the corpus is malformed (see ``check_corpus``).
    """
    references_list = check_corpus(sources, outputs, references_list)
    total = sum(
        update_rouge_example(source, output, references)
        for source, output, references in zip(sources, outputs, references_list, strict=True)
    )
    return 100.0 * total / len(sources)
