"""One lock for building models in this process: loading a model, attaching an adapter.

transformers' ``from_pretrained`` makes weight initialisation a no-op while it builds a
model, by replacing ``torch.nn.init``'s functions and ``PreTrainedModel.init_weights``
process-wide and putting them back afterwards. Two loads in two threads at once interleave
those swaps: a load can keep another's no-ops as the "originals", and modules built in the
meantime (a second model, the LoRA layers PEFT adds) end up on the meta device or without
their initialisation. Three threads loading the embedded model at once all failed here
("Cannot copy out of meta tensor"), every time. The app builds models from several threads
(its model slot, the first request for an adapter, an adapter's intention predictor), so
every place that builds one holds ``BUILD_LOCK``. It is re-entrant: a load may attach an
adapter while holding it.
"""

import threading

BUILD_LOCK = threading.RLock()
