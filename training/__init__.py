"""Runnable training recipes: corpora loading (``training.data``), batching
(``training.batching``) and the training stages.

The corpora the recipes need are copied into ``training/corpora`` (see its README), so
training runs without the shared data folder.
"""
