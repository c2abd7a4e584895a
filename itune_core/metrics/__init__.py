"""Revision-quality and intention-prediction metrics, computed in the project.

Nothing is downloaded at run time (Hugging Face's ``evaluate.load`` would fetch scripts):

- ``sari_corpus`` -- SARI as EASSE and EditEval compute it (corpus counts, F1 for
  deletion); ``sari_t2t`` / ``sari_sentence_t2t`` -- SARI as tensor2tensor and Hugging
  Face's ``sari`` compute it (mean of sentence scores, precision for deletion; the
  variant Hugging Face ships); ``sari_iterater`` -- Xu et al.'s original sentence SARI
  (0/0 counts as 0), the scorer behind ITERATER's published generation results;
- ``gleu`` -- Napoles et al.'s GEC GLEU;
- ``update_rouge`` -- Update-R, ROUGE-Lsum F1 on the sentences a revision adds;
- ``classification_report`` -- accuracy, macro-F1 and per-class F1 of intention
  predictions, single- or multi-label; ``accuracy_among_asked`` -- how often the
  likeliest of a few asked intentions is the true one;
- ``evaluate_revisions`` -- all revision metrics at once, optionally per intention.
- ``paired_bootstrap`` -- how sure a difference between two systems on one set is
  (``itune_core.metrics.bootstrap``).

Text metrics are on a 0-100 scale; classification scores are fractions in [0, 1]. Inputs
are plain strings and labels, outputs plain floats: no I/O. Each module's docstring says
which published definition it follows and every convention it chose.
"""

from itune_core.metrics.bootstrap import Difference, paired_bootstrap
from itune_core.metrics.classification import (
    ClassificationReport,
    ClassScores,
    accuracy_among_asked,
    classification_report,
)
from itune_core.metrics.gleu import gleu
from itune_core.metrics.revisions import evaluate_revisions, group_by_intention
from itune_core.metrics.sari import (
    SariOperations,
    sari_corpus,
    sari_corpus_operations,
    sari_iterater,
    sari_sentence_iterater,
    sari_sentence_t2t,
    sari_sentence_t2t_operations,
    sari_t2t,
)
from itune_core.metrics.tokens import tokenize_13a
from itune_core.metrics.update_rouge import rouge_lsum, update_rouge

__all__ = [
    "ClassScores",
    "ClassificationReport",
    "Difference",
    "SariOperations",
    "accuracy_among_asked",
    "classification_report",
    "evaluate_revisions",
    "gleu",
    "group_by_intention",
    "paired_bootstrap",
    "rouge_lsum",
    "sari_corpus",
    "sari_corpus_operations",
    "sari_iterater",
    "sari_sentence_iterater",
    "sari_sentence_t2t",
    "sari_sentence_t2t_operations",
    "sari_t2t",
    "tokenize_13a",
    "update_rouge",
]
