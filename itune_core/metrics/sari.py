"""SARI (Xu et al. 2016, TACL) in the two variants revision papers report.

SARI compares the output O with the source I and the references R on the n-grams
(n = 1..4) the output adds, keeps and deletes. Keep and delete counts are weighted: the
source's and output's n-gram counts are multiplied by the number of references and
compared with the reference counts summed over the references (Xu et al.'s scheme), so an
n-gram kept by two of three references is two-thirds right to keep. Add counts are binary
(n-gram types): an added n-gram is right when any reference has it.

``sari_corpus`` -- the EASSE variant (Alva-Manchego et al. 2019), which EditEval reports.
Per n-gram order the counts are *summed over the corpus* (EASSE's ``corpus_sari``; it does
not average per-sentence ratios): for each operation, system = n-grams the output added /
kept / deleted, reference = those the references added / kept / deleted, correct = their
overlap. Per order and operation P = correct / system, R = correct / reference and
F1 = 2PR / (P + R), with P = 0 when the system made no such operation, R = 0 when the
references made none, and F1 = 0 unless both P and R are positive. Deletion uses F1 (the
original scored deletion by precision only). The F1s are averaged over the four orders
and SARI = 100 * (add + keep + delete) / 3. Text is lowercased and 13a-tokenized
(EASSE's defaults, applied to source, output and references alike). Consequences of the
conventions: an output equal to its source adds and deletes nothing and so scores add = 0
and delete = 0; where the references add nothing, add = 0 whatever the output does.

``sari_t2t`` / ``sari_sentence_t2t`` -- the tensor2tensor variant as Hugging Face's
``evaluate`` metric ``sari`` computes it (used by the ITERATER paper and the BART/PEGASUS
numbers quoted beside it). Each sentence is scored on its own and the corpus score is the
mean over sentences. Per order: keep P = the mean, over the n-gram types the output kept,
of the fraction of their weighted count the references also keep; keep R = the kept
count the references agree with over the count the references keep (tensor2tensor's fix
of the original's recall); add P and R as above but per sentence; delete = precision
only (the mean, over the deleted n-gram types, of the fraction the references also
delete). Any 0/0 counts as 1 ("give higher scores for predictions that match a target
exactly"), so an operation nobody performs scores 1: an output equal to its source scores
delete = 1, and where the references add nothing an output that adds nothing scores
add = 1. Each operation is averaged over the four orders and the sentence scores
(keep + delete + add) / 3. Text is lowercased, 13a-tokenized and split on single spaces,
so an empty text is one empty token, as in Hugging Face's code (it costs an empty output
its unigram add score; kept so that numbers match).

``sari_iterater`` / ``sari_sentence_iterater`` -- Xu et al.'s original sentence SARI, the
scorer behind ITERATER's published generation results (BART-large 37.28, PEGASUS-large
37.11 on ITERATER-sent test). Each sentence is scored on its own and the corpus score is
the mean. It differs from the tensor2tensor variant in three conventions: any 0/0 counts
as 0 (an operation nobody performs scores 0, so an output equal to its source scores
delete = 0 and add = 0 and SARI = keep / 3); keep recall is the original one (the mean,
over the output's kept n-gram types, of the reference-agreed share of what the references
keep of that type, divided by the number of types the references keep); and the text is
lowercased and split on single spaces, with no further tokenization, as the original
script does with already tokenized text. ITERATER's sentences come tokenized
(" , "), so the 13a tokenizer is applied first here too; a pinned test checks that copying
the source scores what the issue tracker measured with the published scorer (about 29.5
on ITERATER-sent test).

Published values these implementations reproduce are pinned in the tests.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from itune_core.metrics.corpus import check_corpus
from itune_core.metrics.tokens import ngram_counts, tokenize_13a

NGRAM_ORDER = 4


@dataclass(frozen=True)
class SariOperations:
    """SARI's operation scores per n-gram order, each in [0, 1].

    Attributes:
        add: the add score of n-grams of order 1..4 (index 0 holds unigrams).
        keep: the keep score per order.
        delete: the delete score per order (F1 in the EASSE variant, precision in the
            tensor2tensor variant).
    """

    add: tuple[float, ...]
    keep: tuple[float, ...]
    delete: tuple[float, ...]

    @property
    def score(self) -> float:
        """SARI on the 0-100 scale: each operation averaged over the orders, then the mean
        of the three."""
        add, keep, delete = (sum(values) / len(values) for values in self.operations())
        # Summed in Hugging Face's order (keep, delete, add) so its published values come
        # out to the last digit.
        return 100.0 * ((keep + delete + add) / 3)

    def operations(self) -> tuple[tuple[float, ...], ...]:
        """The three per-order tuples in the order add, keep, delete."""
        return self.add, self.keep, self.delete


def _reference_counts(references: Sequence[Sequence[str]], n: int) -> Counter:
    """The n-gram counts of the references, summed over them."""
    counts: Counter = Counter()
    for reference in references:
        counts.update(ngram_counts(reference, n))
    return counts


def _f1(precision: float, recall: float) -> float:
    if precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


# ---------------------------------------------------------------------------------------
# EASSE / EditEval: counts summed over the corpus, F1 per order and operation.


def _easse_counts(
    source: Sequence[str], output: Sequence[str], references: Sequence[Sequence[str]], n: int
) -> tuple[int, ...]:
    """(correct, system, reference) for add, keep and delete at order n: nine counts."""
    src, out = ngram_counts(source, n), ngram_counts(output, n)
    refs = _reference_counts(references, n)
    k = len(references)

    added = out.keys() - src.keys()
    add = (len(added & refs.keys()), len(added), len(refs.keys() - src.keys()))
    keep_ok = keep_sys = keep_ref = del_ok = del_sys = del_ref = 0
    for gram, count in src.items():
        # Source and output counts are weighted by the number of references, so that they
        # compare with reference counts summed over the references. (Conditional
        # expressions rather than min/max: this loop is the hot spot.)
        in_src, in_out, in_refs = k * count, k * out.get(gram, 0), refs.get(gram, 0)
        kept = in_out if in_out < in_src else in_src
        ref_kept = in_refs if in_refs < in_src else in_src
        keep_ok += ref_kept if ref_kept < kept else kept
        keep_sys += kept
        keep_ref += ref_kept
        deleted, ref_deleted = in_src - kept, in_src - ref_kept
        del_ok += ref_deleted if ref_deleted < deleted else deleted
        del_sys += deleted
        del_ref += ref_deleted
    return (*add, keep_ok, keep_sys, keep_ref, del_ok, del_sys, del_ref)


def _easse_f1(correct: int, system: int, reference: int) -> float:
    precision = correct / system if system else 0.0
    recall = correct / reference if reference else 0.0
    return _f1(precision, recall) if precision > 0 and recall > 0 else 0.0


def sari_counts(
    source: str, output: str, references: Sequence[str], *, lowercase: bool = True
) -> tuple[tuple[int, ...], ...]:
    """The EASSE-variant SARI statistics of one example; a corpus's are their sums.

    Args:
        source: the text before revision.
        output: the system revision.
        references: one or more reference revisions.
        lowercase: lowercase before tokenizing (EASSE's default).

    Returns:
        For each order n = 1..4, nine counts: (correct, system, reference) of add, then of
        keep, then of delete.

    Raises:
        ValueError: the references are empty or a bare string.
    """
    references = check_corpus([source], [output], [references])[0]
    src = tokenize_13a(source, lowercase).split()
    out = tokenize_13a(output, lowercase).split()
    refs = [tokenize_13a(reference, lowercase).split() for reference in references]
    return tuple(_easse_counts(src, out, refs, n) for n in range(1, NGRAM_ORDER + 1))


def sari_from_counts(counts: Iterable[tuple[tuple[int, ...], ...]]) -> SariOperations:
    """Corpus-level SARI operations from the ``sari_counts`` of its examples.

    Args:
        counts: the ``sari_counts`` of every example of the corpus.

    Returns:
        Per-order F1 of add, keep and delete from the summed counts.
    """
    totals = [[0] * 9 for _ in range(NGRAM_ORDER)]
    for example in counts:
        for order, order_counts in zip(totals, example, strict=True):
            for i, count in enumerate(order_counts):
                order[i] += count
    return SariOperations(
        add=tuple(_easse_f1(*t[0:3]) for t in totals),
        keep=tuple(_easse_f1(*t[3:6]) for t in totals),
        delete=tuple(_easse_f1(*t[6:9]) for t in totals),
    )


def sari_corpus_operations(
    sources: Sequence[str],
    outputs: Sequence[str],
    references_list: Sequence[Sequence[str]],
    *,
    lowercase: bool = True,
) -> SariOperations:
    """Operation scores of corpus-level SARI, the EASSE/EditEval variant.

    Args:
        sources: the texts before revision.
        outputs: the system revisions, one per source.
        references_list: for each source, one or more reference revisions.
        lowercase: lowercase before tokenizing (EASSE's default).

    Returns:
        Per-order F1 of add, keep and delete from counts summed over the corpus.

    Raises:
        ValueError: the corpus is malformed (see ``check_corpus``).
    """
    references_list = check_corpus(sources, outputs, references_list)
    return sari_from_counts(
        sari_counts(source, output, references, lowercase=lowercase)
        for source, output, references in zip(sources, outputs, references_list, strict=True)
    )


def sari_corpus(
    sources: Sequence[str],
    outputs: Sequence[str],
    references_list: Sequence[Sequence[str]],
    *,
    lowercase: bool = True,
) -> float:
    """Corpus-level SARI as EASSE's ``corpus_sari`` and EditEval compute it.

    Args:
        sources: the texts before revision.
        outputs: the system revisions, one per source.
        references_list: for each source, one or more reference revisions.
        lowercase: lowercase before tokenizing (EASSE's default).

    Returns:
        SARI in [0, 100].

    Raises:
        ValueError: the corpus is malformed (see ``check_corpus``).
    """
    return sari_corpus_operations(sources, outputs, references_list, lowercase=lowercase).score


# ---------------------------------------------------------------------------------------
# tensor2tensor / Hugging Face: every sentence scored on its own, deletion by precision.


def _t2t_tokens(text: str) -> list[str]:
    # split(" ") rather than split(): an empty text becomes [""], as in Hugging Face's code.
    return tokenize_13a(text, lowercase=True).split(" ")


def _t2t_order(
    source: Sequence[str], output: Sequence[str], references: Sequence[Sequence[str]], n: int
) -> tuple[float, float, float]:
    """(add, keep, delete) of one sentence at order n."""
    src, out = ngram_counts(source, n), ngram_counts(output, n)
    refs = _reference_counts(references, n)
    k = len(references)

    kept_types = kept_share = 0.0  # over the n-gram types the output kept
    kept_agreed = ref_kept = 0  # weighted counts
    deleted_types = deleted_share = 0.0  # over the n-gram types the output deleted
    for gram, count in src.items():
        in_src, in_out, in_refs = k * count, k * out.get(gram, 0), refs.get(gram, 0)
        kept = in_out if in_out < in_src else in_src
        if kept:
            agreed = in_refs if in_refs < kept else kept
            kept_types += 1
            kept_share += agreed / kept
            kept_agreed += agreed
        ref_kept += in_refs if in_refs < in_src else in_src
        deleted = in_src - kept
        if deleted:
            deleted_types += 1
            if deleted > in_refs:
                deleted_share += (deleted - in_refs) / deleted
    keep_p = kept_share / kept_types if kept_types else 1.0
    keep_r = kept_agreed / ref_kept if ref_kept else 1.0
    delete_p = deleted_share / deleted_types if deleted_types else 1.0

    added = out.keys() - src.keys()
    ref_added = refs.keys() - src.keys()
    added_good = len(added & refs.keys())
    add_p = added_good / len(added) if added else 1.0
    add_r = added_good / len(ref_added) if ref_added else 1.0
    return _f1(add_p, add_r), _f1(keep_p, keep_r), delete_p


def sari_sentence_t2t_operations(
    source: str, output: str, references: Sequence[str]
) -> SariOperations:
    """Operation scores of one sentence's SARI, the tensor2tensor/Hugging Face variant.

    Args:
        source: the text before revision.
        output: the system revision.
        references: one or more reference revisions.

    Returns:
        Per-order add F1, keep F1 and delete precision.

    Raises:
        ValueError: the references are empty or a bare string.
    """
    return _sentence_operations(_t2t_order, source, output, references)


def _sentence_operations(order_scores, source: str, output: str, references) -> SariOperations:
    """One sentence's operations, ``order_scores`` giving (add, keep, delete) per order."""
    references = check_corpus([source], [output], [references])[0]
    src, out = _t2t_tokens(source), _t2t_tokens(output)
    refs = [_t2t_tokens(reference) for reference in references]
    scores = [order_scores(src, out, refs, n) for n in range(1, NGRAM_ORDER + 1)]
    add, keep, delete = zip(*scores, strict=True)
    return SariOperations(add=add, keep=keep, delete=delete)


def _sentence_mean(sentence_score, sources, outputs, references_list) -> float:
    """The mean of ``sentence_score`` over a corpus (both sentence-level variants)."""
    references_list = check_corpus(sources, outputs, references_list)
    total = sum(
        sentence_score(source, output, references)
        for source, output, references in zip(sources, outputs, references_list, strict=True)
    )
    return total / len(sources)


def sari_sentence_t2t(source: str, output: str, references: Sequence[str]) -> float:
    """One sentence's SARI as tensor2tensor and Hugging Face's ``sari`` compute it.

    Args:
        source: the text before revision.
        output: the system revision.
        references: one or more reference revisions.

    Returns:
        SARI in [0, 100].

    Raises:
        ValueError: the references are empty or a bare string.
    """
    return sari_sentence_t2t_operations(source, output, references).score


def sari_t2t(
    sources: Sequence[str],
    outputs: Sequence[str],
    references_list: Sequence[Sequence[str]],
) -> float:
    """Corpus SARI of the tensor2tensor/Hugging Face variant: the mean sentence score.

    Args:
        sources: the texts before revision.
        outputs: the system revisions, one per source.
        references_list: for each source, one or more reference revisions.

    Returns:
        SARI in [0, 100].

    Raises:
        ValueError: the corpus is malformed (see ``check_corpus``).
    """
    return _sentence_mean(sari_sentence_t2t, sources, outputs, references_list)


# ---------------------------------------------------------------------------------------
# Xu et al.'s original sentence SARI (ITERATER's published scorer): 0/0 counts as 0.


def _iterater_order(
    source: Sequence[str], output: Sequence[str], references: Sequence[Sequence[str]], n: int
) -> tuple[float, float, float]:
    """(add, keep, delete) of one sentence at order n, original conventions."""
    src, out = ngram_counts(source, n), ngram_counts(output, n)
    refs = _reference_counts(references, n)
    k = len(references)

    keep_types = keep_share = keep_recall_sum = 0.0
    ref_keep_types = 0
    del_types = del_share = 0.0
    for gram, count in src.items():
        in_src, in_out, in_refs = k * count, k * out.get(gram, 0), refs.get(gram, 0)
        kept = min(in_out, in_src)
        ref_kept = min(in_refs, in_src)
        if ref_kept:
            ref_keep_types += 1
        if kept:
            good = min(kept, in_refs)
            keep_types += 1
            keep_share += good / kept
            if ref_kept:
                keep_recall_sum += good / ref_kept
        deleted = in_src - kept
        if deleted:
            del_types += 1
            ref_deleted_ok = max(0, deleted - in_refs)
            del_share += ref_deleted_ok / deleted
    keep_p = keep_share / keep_types if keep_types else 0.0
    keep_r = keep_recall_sum / ref_keep_types if ref_keep_types else 0.0
    delete_p = del_share / del_types if del_types else 0.0

    added = out.keys() - src.keys()
    ref_added = refs.keys() - src.keys()
    good_added = len(added & refs.keys())
    add_p = good_added / len(added) if added else 0.0
    add_r = good_added / len(ref_added) if ref_added else 0.0
    return _f1(add_p, add_r), _f1(keep_p, keep_r), delete_p


def sari_sentence_iterater(source: str, output: str, references: Sequence[str]) -> float:
    """One sentence's SARI under Xu et al.'s original conventions (ITERATER's scorer).

    Args:
        source: the text before revision.
        output: the system revision.
        references: one or more reference revisions.

    Returns:
        SARI in [0, 100].

    Raises:
        ValueError: the references are empty or a bare string.
    """
    return _sentence_operations(_iterater_order, source, output, references).score


def sari_iterater(
    sources: Sequence[str],
    outputs: Sequence[str],
    references_list: Sequence[Sequence[str]],
) -> float:
    """Corpus SARI as ITERATER reports it: the mean of ``sari_sentence_iterater``.

    Raises:
        ValueError: the corpus is malformed (see ``check_corpus``).
    """
    return _sentence_mean(sari_sentence_iterater, sources, outputs, references_list)
