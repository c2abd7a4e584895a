"""Several adapters served from one loaded base model, chosen per request.

    pool = AdapterPool(model, tokenizer, model_name="smollm2-135m-instruct",
                       load_labeller=lambda folder: None)
    reviser = pool.reviser_for("fluency-v2", Path("runs/fluency-v2"))  # attached on first use
    reviser.revise("He go to school.", ["fluency"])
    pool.reviser_for(None, None).revise(...)                           # the base model

Adapters are attached to the shared model the first time a request names them and stay
attached. Every request's rows go to the pool's ``BatchScheduler`` (``itune_core.scheduler``),
which decodes the rows of all waiting requests in shared batches, each row naming its own
adapter (PEFT ``adapter_names``), so requests with different adapters never switch a global
"active adapter" under each other. An
adapter whose folder has a ``labelling.json`` labels its edits by its own likelihood
(``itune_core.gain_labels``, on the shared model); the intention predictor of any other
(its labeller) is loaded on first use through an injected loader and kept for the few
adapters used last: each holds its own copy of the base model.

How the shared model is used across threads (``_Gate``):

- Attaching changes the module tree: the first attach replaces every targeted Linear with a
  LoRA layer, later ones add weights to those layers' ModuleDicts. A forward pass, or PEFT's
  walk over ``modules()`` when a generate call registers its hooks, can run into a half-built
  tree or a dict that changes size while it iterates. So an attach waits for the running
  generations to finish and runs alone; new generations wait for it (a waiting attach goes
  first, so a steady stream of requests cannot starve it).
- PEFT hands ``adapter_names`` to the LoRA layers through forward pre-hooks that each
  generate call registers on the shared layers for its whole duration. Two overlapping calls
  with different adapters would each run with whichever hook was registered last, i.e. one
  writer would silently get the other's adapter. The scheduler makes one call at a time,
  its rows naming their adapters; the gate still lets calls naming the same adapter overlap
  and makes calls naming different ones take turns, for any other user of the model.
"""

import logging
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import torch

from itune_core.adapters import attach_adapter, check_adapter_dir
from itune_core.bundle import AdapterBundle
from itune_core.errors import ModelLoadError
from itune_core.gain_labels import GainLabeller
from itune_core.reviser import Labeller, Reviser, ReviseSettings, settings_decoder
from itune_core.scheduler import BatchScheduler

logger = logging.getLogger(__name__)


def _undo_injection(model: torch.nn.Module) -> None:
    """Put back the plain layers of a model whose first attach failed.

    PEFT wraps the targeted layers of the base model in place before it loads the weights,
    so an adapter whose weights do not fit (another base model) leaves the model wrapped,
    with a ``peft_config``, yet not a PeftModel: it could then generate neither with nor
    without an adapter. This does what ``LoraModel.unload`` would have.
    """
    from peft.tuners.tuners_utils import BaseTunerLayer

    for parent in list(model.modules()):
        for child_name, child in list(parent.named_children()):
            if isinstance(child, BaseTunerLayer):
                setattr(parent, child_name, child.get_base_layer())
    if hasattr(model, "peft_config"):
        del model.peft_config


_BATCH = "\x00batch"  # the gate's name for the scheduler's calls (rows name their adapters)


class _Gate:
    """Who may use the shared model now: generations naming the same adapter together,
    generations naming different adapters in turn, an attach alone (see the module
    docstring for why)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._adapter: str | None = None  # what the running generations use
        self._running = 0
        self._attaching = False
        self._attaches_waiting = 0
        self._waiting: Counter = Counter()  # generations waiting, per adapter

    def _may_generate(self, adapter: str | None) -> bool:
        if self._attaching or self._attaches_waiting:
            return False
        if self._running == 0:
            return True
        # Join the running ones only if no one with another adapter is waiting for them to
        # finish: otherwise a busy adapter would keep the others out for good.
        others_waiting = any(name != adapter for name in self._waiting)
        return self._adapter == adapter and not others_waiting

    @contextmanager
    def generating(self, adapter: str | None) -> Iterator[None]:
        with self._cond:
            self._waiting[adapter] += 1
            try:
                self._cond.wait_for(lambda: self._may_generate(adapter))
            finally:
                self._waiting[adapter] -= 1
                if not self._waiting[adapter]:
                    del self._waiting[adapter]
            self._adapter = adapter
            self._running += 1
        try:
            yield
        finally:
            with self._cond:
                self._running -= 1
                self._cond.notify_all()

    def contended(self) -> bool:
        """Whether an attach, or a generation outside the scheduler, waits for the model:
        the scheduler's running batch then takes no new rows, so that it ends."""
        with self._cond:
            return bool(self._attaches_waiting or any(n != _BATCH for n in self._waiting))

    @contextmanager
    def attaching(self) -> Iterator[None]:
        with self._cond:
            self._attaches_waiting += 1
            try:
                self._cond.wait_for(lambda: self._running == 0 and not self._attaching)
            finally:
                self._attaches_waiting -= 1
            self._attaching = True
        try:
            yield
        finally:
            with self._cond:
                self._attaching = False
                self._cond.notify_all()


class AdapterPool:
    """One loaded base model serving any number of adapters, each chosen per request.

    Thread-safe: any thread may ask for a reviser and revise with it while others do.

    Attributes:
        tokenizer: the model's tokenizer.
        model_name: recorded with every revision.
        settings: generation settings of every reviser.
        max_labellers: predictors kept loaded at once (least recently used ones go first).
    """

    def __init__(
        self,
        model: torch.nn.Module,
        tokenizer: object,
        *,
        model_name: str,
        settings: ReviseSettings | None = None,
        load_labeller: Callable[[Path], Labeller | None] | None = None,
        max_labellers: int = 2,
        max_rows: int = 16,
        max_rows_per_request: int = 8,
    ):
        """
        Args:
            model: the base model in eval mode (a PeftModel already holding adapters works
                too: they are served under the names they were attached with).
            tokenizer: its tokenizer.
            model_name: recorded with every revision.
            settings: generation settings (default ``ReviseSettings()``).
            load_labeller: ``(adapter folder) -> labeller or None`` (None: the adapter has
                no predictor); called once per adapter, on its first use.
            max_labellers: how many labellers to keep loaded.
            max_rows: rows per shared batch (1: one row at a time, unbatched).
            max_rows_per_request: rows of one request in one batch.

        Raises:
            ValueError: ``max_labellers``, ``max_rows`` or ``max_rows_per_request`` below 1.
        """
        if max_labellers < 1:
            raise ValueError(f"max_labellers must be at least 1, got {max_labellers!r}")
        self._model = model
        self.tokenizer = tokenizer
        self.model_name = model_name
        self.settings = settings or ReviseSettings()
        self.max_labellers = max_labellers
        self._load_labeller = load_labeller
        self._gate = _Gate()
        self._attach_lock = threading.Lock()  # one attach at a time, bookkeeping included
        attached = getattr(model, "peft_config", None) or {}
        self._paths: dict[str, Path | None] = dict.fromkeys(attached)  # name -> folder
        self._gain_labellers: dict[str, GainLabeller] = {}  # by adapter, set on attach
        self._labellers: OrderedDict[str, Labeller] = OrderedDict()  # least recent first
        self._without_labeller: set[str] = set()
        self._labeller_lock = threading.Lock()  # guards the two above
        self._loading: dict[str, threading.Lock] = {}  # one load per adapter at a time
        self._decoder = settings_decoder(model, tokenizer, self.settings)
        self.scheduler = BatchScheduler(
            self._decoder,
            max_rows=max_rows,
            max_rows_per_request=max_rows_per_request,
            exclusive=lambda: self._gate.generating(_BATCH),
            contended=self._gate.contended,
        )

    @property
    def model(self) -> torch.nn.Module:
        """The shared model: the base model, or the PeftModel holding every adapter."""
        return self._model

    @property
    def attached(self) -> tuple[str, ...]:
        """The names of the adapters attached so far, in attaching order."""
        return tuple(self._paths)

    def reviser_for(self, name: str | None, path: Path | None = None) -> Reviser:
        """A reviser that revises with the adapter ``name`` (None: the base model).

        The adapter is attached from ``path`` the first time it is named, and its labeller
        loaded; later calls reuse both.

        Args:
            name: the adapter's name, recorded on every revision it makes.
            path: its folder (needed the first time only).

        Returns:
            A Reviser with ``adapter_name == name`` and the adapter's labeller: its own
            likelihood (``GainLabeller``) where its folder has a ``labelling.json``, else its
            Stage-I predictor (None for the base model and adapters without either).

        Raises:
            ModelLoadError: the folder is missing or not a loadable adapter, or ``name`` is
                already attached from another folder. The pool is left as it was.
        """
        labeller = None
        if name is not None:
            self._attach(name, path)
            # its own likelihood where its folder has the biases (which hands its scoring
            # to the scheduler a chunk at a time), else its predictor
            labeller = self._gain_labellers.get(name)
            loaded = None if labeller is not None else self._labeller(name, path)
            if loaded is not None:  # run between passes, never beside one (see scheduler)
                labeller = self._scheduled(loaded)
        return Reviser(
            None,
            self.tokenizer,
            model_name=self.model_name,
            adapter_name=name,
            settings=self.settings,
            labeller=labeller,
            decoder=self.scheduler,
        )

    def _scheduled(self, labeller: Labeller) -> Labeller:
        """``labeller`` run by the scheduler; one that labels many revisions at once
        (``label_many``, as ``IntentionPredictor`` does) labels those of every request
        waiting at once in one call (``BatchScheduler.call_together``)."""
        many = getattr(labeller, "label_many", None)
        if many is None:
            return partial(self.scheduler.call, labeller)
        return partial(self.scheduler.call_together, many)

    def _attach(self, name: str, path: Path | None) -> None:
        # Most requests name an adapter attached long ago: they need no lock (a dict
        # lookup is atomic), so they never wait behind another adapter's attach.
        if name in self._paths:
            self._check_same_folder(name, path)
            return
        with self._attach_lock:
            if name in self._paths:  # attached by a request that held the lock before us
                self._check_same_folder(name, path)
                return
            if path is None:
                raise ModelLoadError(f"adapter {name!r} is not attached and has no folder")
            path = Path(path)
            # Checked before the gate: a missing or corrupt folder must not pause anyone.
            try:
                check_adapter_dir(path)
                bundle = AdapterBundle.read(path)
                prompt_format, label_bias = bundle.prompt_format, bundle.label_bias
            except (ModelLoadError, ValueError) as err:
                raise ModelLoadError(f"adapter {name!r} cannot be served: {err}") from err
            from peft import PeftModel  # imported here: see attach_adapter

            with self._gate.attaching():
                first = not isinstance(self._model, PeftModel)
                try:
                    self._model = attach_adapter(self._model, path, name)
                    self._decoder.model = self._model
                except ModelLoadError as err:
                    if first:
                        _undo_injection(self._model)
                    raise ModelLoadError(f"adapter {name!r} cannot be served: {err}") from err
            # Before its name is listed: no row of it is made in another format.
            self._decoder.use_prompt_format(name, prompt_format)
            if label_bias is not None:
                self._gain_labellers[name] = GainLabeller(
                    self._decoder, name, label_bias, run=self.scheduler.call
                )
            self._paths[name] = path.resolve()

    def _check_same_folder(self, name: str, path: Path | None) -> None:
        known = self._paths[name]
        if path is not None and known is not None and known != Path(path).resolve():
            raise ModelLoadError(
                f"an adapter named {name!r} is already attached from {known}; "
                f"it cannot also be served from {path}"
            )

    def _labeller(self, name: str, path: Path | None) -> Labeller | None:
        with self._labeller_lock:
            cached = self._cached_labeller(name)
            if cached is not None or name in self._without_labeller:
                return cached
            if self._load_labeller is None or path is None:
                return None
            loading = self._loading.setdefault(name, threading.Lock())
        # Loaded outside the pool's lock (it takes seconds): requests for other adapters
        # go on; a second request for this adapter waits for this load instead of
        # loading another copy.
        with loading:
            with self._labeller_lock:
                cached = self._cached_labeller(name)
                if cached is not None or name in self._without_labeller:
                    return cached
            labeller = self._load_labeller(Path(path))
            with self._labeller_lock:
                if labeller is None:
                    self._without_labeller.add(name)
                    return None
                self._labellers[name] = labeller
                while len(self._labellers) > self.max_labellers:
                    dropped, _ = self._labellers.popitem(last=False)
                    logger.info("labeller of adapter %s unloaded", dropped)
                return labeller

    def _cached_labeller(self, name: str) -> Labeller | None:
        labeller = self._labellers.get(name)
        if labeller is not None:
            self._labellers.move_to_end(name)
        return labeller
