"""The composition root: read settings, build services, build the UI, launch.

Run it with ``python app.py`` (or ``make run``). Settings come from the environment:

  ITUNE_HOME         data folder: converted models, the default database (~/.cache/itune)
  ITUNE_MODEL        ``embedded`` (SmolLM2-135M-Instruct, default), a local HF folder or hub id
  ITUNE_ADAPTER      a trained adapter folder (``python -m training train``) to revise with
                     until an admin activates one; default: the built-in adapter
                     ``adapters/itune-default`` (embedded model only); ``none``: the base model
  ITUNE_DB_URL       any SQLAlchemy URL (default: sqlite file ITUNE_HOME/itune.db)
  ITUNE_DEVICE       ``cpu``, ``cuda``, ``cuda:1`` … (default: CUDA when present)
  ITUNE_DTYPE        ``bfloat16``, ``float16`` or ``float32`` (default: bf16 where supported)
  ITUNE_MAX_CHARS    longest text accepted (default 20000)
  ITUNE_QUEUE_SIZE   requests that may wait for the model (and, apart, for each other
                     endpoint) before new ones are refused (64)
  ITUNE_MAX_BATCH    sentences decoded together, across writers (16; 1: one at a time)
  ITUNE_PROMPT_LOOKUP  tokens each sentence drafts from its own text for the model to
                     check in one pass (10; 0: off); same answers, sooner
  ITUNE_MAX_UPLOAD_MB  largest file accepted by an upload, in MB (20)
  ITUNE_ALLOWED_ORIGINS  origins besides the app's own that may call it, comma-separated
  ITUNE_MIN_EDIT_MARGIN  leave out edits the model is unsure of, in nats (0.5; off: keep all)
  ITUNE_TENSE_CONTEXT  ``1`` (default): a sentence that tells of the past is revised with
                     the ones after it as well, for their tenses; ``0``: each sentence alone
  ITUNE_ADMIN_USER   the admin account ITUNE_ADMIN_PASSWORD sets up (default ``admin``)
  ITUNE_ADMIN_PASSWORD  creates that admin (or resets its password) at start; required to
                     bind a non-loopback address unless an admin exists already
  ITUNE_WORKER       ``1`` (default): run the training worker as a child process; ``0``: run
                     ``python -m training.worker`` yourself (e.g. on another host)
  GRADIO_SERVER_NAME address to bind (default 127.0.0.1)
  GRADIO_SERVER_PORT port (default 7860)

The page is served at once; the model loads in a background thread and the first
revision waits for it. With users in the database everyone logs in and only admins see
the Admin tab; with none, bound to loopback, the app is a single local user (an admin).
"""

import ipaddress
import logging
import os
import sys
import threading

from services import openmp  # before torch loads: OpenMP's thread policy (see there)

# isort: split
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch
from sqlalchemy.exc import SQLAlchemyError

from itune_core.adapters import check_adapter_dir
from itune_core.bundle import AdapterBundle
from itune_core.decoding import MAX_PROMPT_LOOKUP, check_prompt_lookup
from itune_core.errors import ItuneError, ModelLoadError
from itune_core.misspellings import preload as preload_speller
from itune_core.model import LoadedModel, default_device, default_dtype, load_model
from itune_core.register import is_everyday
from itune_core.reviser import Reviser, ReviseSettings
from itune_core.serving import AdapterPool
from itune_core.tenses import preload as preload_tenses
from storage.environment import database_url, home_folder
from storage.errors import RecordNotFound
from storage.store import Store
from storage.users import UserStore

logger = logging.getLogger("itune")

DTYPES = {"bfloat16": torch.bfloat16, "float16": torch.float16, "float32": torch.float32}


def builtin_adapter_dir() -> Path:
    """Where the built-in adapter lies: ``adapters/itune-default`` beside this file in a
    checkout; in an installed copy (``pip install .``), ``itune_adapters/itune-default``
    beside it in site-packages. pyproject.toml ships the repository's ``adapters/`` folder
    under that name, as package data installed next to this module, so a checkout keeps
    its layout (docs, configs and benchmarks name ``adapters/itune-default``) and the
    wheel does not install a top-level ``adapters`` folder that another distribution's
    package of that name would collide with."""
    here = Path(__file__).resolve().parent
    checkout = here / "adapters" / "itune-default"
    return checkout if checkout.is_dir() else here / "itune_adapters" / "itune-default"


# The adapter the repository ships (`make default-adapter` rebuilds it from the two
# training/configs/intention-tuning-default*.yaml), served by default on the embedded
# model; ITUNE_ADAPTER=none: the base model.
BUILTIN_ADAPTER = builtin_adapter_dir()
NO_ADAPTER = ("none", "base")
# The built-in adapter's specialists: a request for exactly this intention set is revised
# with the folder of this name beside it, where the built-in adapter serves and no admin has
# chosen for that set (docs/default-adapter.md, "Routed by intention").
BUILTIN_SPECIALISTS: dict[frozenset[str], str] = {
    frozenset({"clarity"}): "itune-default-clarity",
    frozenset({"style"}): "itune-default-style",  # "Casual wording"
    frozenset({"fluency"}): "itune-default-fluency",  # "Everyday prose"
}
# The specialists that serve only a text that reads as everyday prose
# (itune_core/register.py); a formal text asking for their intentions alone gets the
# built-in adapter.
BUILTIN_EVERYDAY_ONLY = ("fluency",)
# The specialists that also follow the built-in adapter (or the specialist leading in its
# place) on a request for several intentions ("Requests that combine intentions"); the
# fluency specialist leads instead of following (below).
BUILTIN_FOLLOWERS = ("clarity", "style")
# The specialists that also lead on a request asking for their intention among others about
# everyday prose: they revise for every intention asked in the built-in adapter's place,
# and the followers follow them ("Suggested intentions lose the fluency specialist": the
# Revise page's suggestion ticked clarity beside fluency on two of four learner drafts probed).
BUILTIN_LEADERS = ("fluency",)


def builtin_specialist(intentions: Iterable[str], text: str | None = None) -> Path | None:
    """The built-in specialist for a request asking for exactly ``intentions`` about
    ``text``, or, for a request asking for several about everyday prose, the one that
    leads on them; None where there is none, where its folder holds no adapter (an
    installed copy without it), or where it serves everyday prose only and ``text`` is not
    (None: any text, the route as listed: a specialist for exactly ``intentions``)."""
    scope = frozenset(intentions)
    name = BUILTIN_SPECIALISTS.get(scope)
    everyday = text is not None and is_everyday(text)
    if name is None and len(scope) > 1 and everyday:
        leader = next((i for i in BUILTIN_LEADERS if i in scope), None)
        name = BUILTIN_SPECIALISTS[frozenset({leader})] if leader else None
    elif name and text is not None and scope & set(BUILTIN_EVERYDAY_ONLY) and not everyday:
        return None
    folder = BUILTIN_ADAPTER.parent / name if name else None
    return folder if folder and AdapterBundle.has_generation_adapter(folder) else None


def default_adapter(model: str) -> Path | None:
    """The built-in adapter where it fits the model (it was trained on the embedded one)."""
    shipped = AdapterBundle.has_generation_adapter(BUILTIN_ADAPTER)
    return BUILTIN_ADAPTER if model == "embedded" and shipped else None


@dataclass(frozen=True)
class Settings:
    """The app's settings, validated on construction."""

    home: Path = field(default_factory=lambda: home_folder(env={}))
    model: str = "embedded"
    adapter: Path | None = None
    db_url: str | None = None
    device: str | None = None
    dtype: str | None = None
    max_chars: int = 20_000
    queue_size: int = 64
    max_batch: int = 16
    prompt_lookup: int = ReviseSettings.prompt_lookup
    max_upload_mb: int = 20
    allowed_origins: tuple[str, ...] = ()
    min_edit_margin: float | None = ReviseSettings.min_edit_margin
    tense_context: bool = ReviseSettings.tense_context
    server_name: str = "127.0.0.1"
    server_port: int = 7860
    admin_user: str = "admin"
    admin_password: str | None = field(default=None, repr=False)
    worker: bool = True

    def __post_init__(self) -> None:
        if self.dtype is not None and self.dtype not in DTYPES:
            raise ValueError(f"ITUNE_DTYPE must be one of {sorted(DTYPES)}, got {self.dtype!r}")
        if self.device is not None:
            try:
                torch.device(self.device)
            except (RuntimeError, ValueError) as err:
                raise ValueError(f"ITUNE_DEVICE is not a device: {self.device!r}") from err
        for name in ("max_chars", "queue_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)!r}")
        for origin in self.allowed_origins:
            if not origin.startswith(("http://", "https://")) or origin.count("/") != 2:
                raise ValueError(
                    "ITUNE_ALLOWED_ORIGINS takes origins such as https://studio.example.org "
                    f"(scheme and host, no path), got {origin!r}"
                )
        try:
            ReviseSettings(min_edit_margin=self.min_edit_margin)
        except ValueError:
            raise ValueError(
                f"ITUNE_MIN_EDIT_MARGIN must be a number of nats or off, got "
                f"{self.min_edit_margin!r}"
            ) from None
        if not 1 <= self.max_upload_mb <= 10_000:
            raise ValueError(f"ITUNE_MAX_UPLOAD_MB must be 1-10000, got {self.max_upload_mb!r}")
        if not 1 <= self.max_batch <= 256:
            raise ValueError(f"ITUNE_MAX_BATCH must be 1-256, got {self.max_batch!r}")
        try:
            check_prompt_lookup(self.prompt_lookup)
        except ValueError:
            raise ValueError(
                f"ITUNE_PROMPT_LOOKUP must be 0-{MAX_PROMPT_LOOKUP}, got {self.prompt_lookup!r}"
            ) from None
        if not 0 <= self.server_port <= 65535:
            raise ValueError(f"GRADIO_SERVER_PORT must be 0-65535, got {self.server_port!r}")
        if not self.model.strip():
            raise ValueError("ITUNE_MODEL is empty")
        if not self.admin_user.strip():
            raise ValueError("ITUNE_ADMIN_USER is empty")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Settings":
        """Settings from environment variables (unset or empty: the default)."""

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        def integer(name: str, default: int) -> int:
            raw = get(name)
            if raw is None:
                return default
            try:
                return int(raw)
            except ValueError:
                raise ValueError(f"{name} must be an integer, got {raw!r}") from None

        def flag(name: str, default: bool) -> bool:
            raw = (get(name) or "").lower()
            if not raw:
                return default
            if raw not in ("0", "1", "true", "false", "yes", "no"):
                raise ValueError(f"{name} must be 0 or 1, got {raw!r}")
            return raw in ("1", "true", "yes")

        def margin(name: str) -> float | None:
            raw = get(name)
            if raw is None:
                return ReviseSettings.min_edit_margin
            if raw.lower() in ("off", "none"):
                return None
            try:
                return float(raw)
            except ValueError:
                raise ValueError(f"{name} must be a number of nats or off, got {raw!r}") from None

        model = get("ITUNE_MODEL") or "embedded"
        chosen = get("ITUNE_ADAPTER")
        if chosen is None:
            adapter = default_adapter(model)
        elif chosen.lower() in NO_ADAPTER:
            adapter = None
        else:
            adapter = Path(chosen).expanduser()
        return cls(
            home=home_folder(env=env),
            model=model,
            adapter=adapter,
            db_url=get("ITUNE_DB_URL"),
            device=get("ITUNE_DEVICE"),
            dtype=get("ITUNE_DTYPE"),
            max_chars=integer("ITUNE_MAX_CHARS", 20_000),
            queue_size=integer("ITUNE_QUEUE_SIZE", 64),
            max_batch=integer("ITUNE_MAX_BATCH", 16),
            prompt_lookup=integer("ITUNE_PROMPT_LOOKUP", ReviseSettings.prompt_lookup),
            max_upload_mb=integer("ITUNE_MAX_UPLOAD_MB", 20),
            min_edit_margin=margin("ITUNE_MIN_EDIT_MARGIN"),
            tense_context=flag("ITUNE_TENSE_CONTEXT", ReviseSettings.tense_context),
            allowed_origins=tuple(
                o.strip() for o in (get("ITUNE_ALLOWED_ORIGINS") or "").split(",") if o.strip()
            ),
            server_name=get("GRADIO_SERVER_NAME") or "127.0.0.1",
            server_port=integer("GRADIO_SERVER_PORT", 7860),
            admin_user=get("ITUNE_ADMIN_USER") or "admin",
            # Not stripped: a password may start or end with spaces.
            admin_password=env.get("ITUNE_ADMIN_PASSWORD") or None,
            worker=flag("ITUNE_WORKER", True),
        )

    @property
    def model_concurrency(self) -> int:
        """Requests that may use the model at once: twice a batch, so the next batch is
        waiting while one decodes (1 without batching: one request at a time)."""
        return 1 if self.max_batch == 1 else 2 * self.max_batch

    @property
    def database_url(self) -> str:
        return database_url(self.db_url, self.home, env={})

    @property
    def runs_dir(self) -> Path:
        """Where the worker puts training runs and evaluation reports."""
        return self.home / "runs"

    @property
    def loopback(self) -> bool:
        """Whether the app is bound to this host only."""
        return is_loopback(self.server_name)


def masked_url(url: str) -> str:
    """A database URL fit for a log: its password replaced by ``***``."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can parse: show nothing of it
        return "<unparsable database URL>"


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (127.0.0.0/8, ::1, localhost)."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host.lower() == "localhost"


def adapter_name(path: Path) -> str:
    """The name an adapter folder is attached and recorded under: the folder's name."""
    return path.resolve().name


# (name, folder) of the adapter new requests use; (None, None): the base model.
AdapterChoice = tuple[str | None, Path | None]


class ModelSlot:
    """Loads the model in a background thread and serves every adapter from it through
    an ``AdapterPool`` (adapters attached, and their predictors loaded, on first use);
    ``pool`` and ``get`` wait for it (or re-raise).

    Args:
        settings: the app's settings.
        warm: the adapters to attach (with their predictors) before the slot reports
            ready, so the first request does not wait for them.
    """

    def __init__(
        self, settings: Settings, warm: Callable[[], Iterable[AdapterChoice]] | None = None
    ):
        self.settings = settings
        self._ready = threading.Event()
        self._loaded: LoadedModel | None = None
        self._pool: AdapterPool | None = None
        self._error: BaseException | None = None
        self._warm = warm
        self._thread = threading.Thread(target=self._load, name="model-loader", daemon=True)
        # The predictors share one copy of the base model, each an adapter of it.
        self._predictors_lock = threading.Lock()
        self._predictor_base: LoadedModel | None = None
        self._predictor_model = None
        self._predictor_names: dict[str, str] = {}

    def start(self) -> "ModelSlot":
        self._thread.start()
        return self

    def _load(self) -> None:
        s = self.settings
        try:
            device = torch.device(s.device) if s.device else default_device()
            dtype = DTYPES[s.dtype] if s.dtype else default_dtype(device)
            loaded = load_model(s.model, cache_dir=s.home / "models", device=device, dtype=dtype)

            def load_labeller(adapter: Path):
                return self._load_predictor(adapter, device, dtype)

            self._pool = AdapterPool(
                loaded.model,
                loaded.tokenizer,
                model_name=loaded.name,
                settings=ReviseSettings(
                    max_chars=s.max_chars,
                    min_edit_margin=s.min_edit_margin,
                    prompt_lookup=s.prompt_lookup,
                    tense_context=s.tense_context,
                ),
                load_labeller=load_labeller,
                max_labellers=16,  # each a few MB: they share one copy of the base model
                max_rows=s.max_batch,
                max_rows_per_request=max(1, s.max_batch // 2),
            )
            self._loaded = loaded
            logger.info("model %s ready on %s (%s)", self._loaded.name, device, dtype)
        except BaseException as err:  # kept and re-raised to every caller of get()
            logger.exception("model failed to load")
            self._error = err
            self._ready.set()
            return
        try:
            self._warm_up()
        finally:
            self._ready.set()

    def _warm_up(self) -> None:
        """Read the tense guard's verb tables and the speller's word list, attach the
        adapters serving now and load their predictors, before any request."""
        preload_tenses()
        preload_speller()
        if self._warm is None:
            return
        try:
            for name, path in self._warm():
                if name is not None:
                    self._pool.reviser_for(name, path)
        # Not fatal: an admin may activate another adapter. The request that needs this
        # one gets the error again, as its message.
        except Exception as err:
            logger.warning("adapter not attached at start: %s", err)

    def _load_predictor(self, adapter: Path, device, dtype):
        """The adapter's Stage-I predictor, as one adapter of a copy of the base model that
        all predictors share (a predictor needs LoRA on every block, the generation adapter
        only on S_gen, so it cannot live on the generation model). A predictor that fails
        to load costs only the edit labels, so it is logged, not fatal."""
        # Imported here: they pull in peft, which a warm start without an adapter skips.
        from itune_core.labelling import IntentionPredictor

        s = self.settings
        with self._predictors_lock:
            try:
                bundle = AdapterBundle.read(adapter)
                if bundle.predictor_info is None:
                    return None  # a plain PEFT adapter: its edits go unlabelled
                if self._predictor_base is None:
                    self._predictor_base = load_model(
                        s.model, cache_dir=s.home / "models", device=device, dtype=dtype
                    )
                base = self._predictor_base
                # Every predictor is one adapter of one shared copy of the base model, named
                # by its bundle: loading it again (after the pool let it go) reuses it.
                name = self._predictor_names.setdefault(
                    bundle.predictor_key, f"predictor-{len(self._predictor_names)}"
                )
                shared = self._predictor_model or base.model
                classifier = bundle.load_predictor(shared, adapter_name=name).eval()
                self._predictor_model = classifier.model
            except (OSError, ValueError, KeyError, ModelLoadError) as err:
                logger.warning("intention predictor of %s not loaded: %s", adapter, err)
                return None
        logger.info("intention predictor of %s loaded", adapter)
        return IntentionPredictor(classifier, base.tokenizer, bundle.predictor_info.labels)

    def get(self, timeout: float | None = None) -> LoadedModel:
        """The loaded base model (adapters live on ``pool().model``)."""
        if not self._ready.wait(timeout):
            raise ModelLoadError("the model is still loading; try again in a moment")
        if self._error is not None:
            raise ModelLoadError(f"the model failed to load: {self._error}")
        return self._loaded

    def pool(self, timeout: float | None = None) -> AdapterPool:
        """The adapters served on the loaded model (waits like ``get``)."""
        self.get(timeout)
        return self._pool


def build_admin(settings: Settings, store: Store, access):
    """The Admin tab's service: it queues jobs for the worker process and reads the
    registry, runs, evaluations and feedback from the database (never trains itself)."""
    from services.admin import Admin
    from storage.evaluations import EvaluationStore
    from storage.feedback import FeedbackStore
    from storage.registry import Registry
    from storage.runs import RunStore

    runs = RunStore(store.engine)
    feedback = FeedbackStore(store.engine)

    # training/ is imported when an admin acts, not at start: it pulls in peft and the
    # recipes, which a writer's warm start does not need.
    def submit_run(job, created_by):
        from training.worker import submit_run

        return submit_run(runs, job, created_by)

    def export_feedback_to(path):
        from training.feedback import export_feedback

        return export_feedback(feedback, path)

    def check_upload(path) -> int:
        from training.data import load_jsonl

        return len(load_jsonl(path))

    return Admin(
        access=access,
        runs=runs,
        registry=Registry(store.engine),
        evaluations=EvaluationStore(store.engine),
        feedback=feedback,
        uploads_dir=settings.home / "uploads",
        exports_dir=settings.home / "exports",
        submit_run=submit_run,
        export_feedback_to=export_feedback_to,
        check_upload=check_upload,
    )


def build_app(settings: Settings, store: Store | None = None):
    """Build the services and the UI. Returns ``(blocks, studio, slot)`` (not launched).

    Args:
        store: the database, already opened (and migrated) by the caller; None: open
            ``settings.database_url``.
    """
    from services.access import Access
    from services.studio import BASE_MODEL, Studio
    from storage.registry import Registry
    from ui import build_ui
    from ui.queue_lanes import bound_per_lane

    settings.home.mkdir(parents=True, exist_ok=True)
    if store is None:
        store = Store.open(settings.database_url)
    registry = Registry(store.engine)
    serves_builtin = settings.adapter is not None and settings.adapter.resolve() == BUILTIN_ADAPTER
    if serves_builtin:
        register_builtin(registry, BUILTIN_ADAPTER)
        for scope in BUILTIN_SPECIALISTS:
            specialist = builtin_specialist(scope)
            if specialist is not None:
                register_builtin(registry, specialist)

    def serving_adapter(intentions: tuple[str, ...] = (), text: str | None = None) -> AdapterChoice:
        """The adapter new requests for ``intentions`` (about ``text``; None: the route
        as listed) use, read per request (an activation needs no restart): the registry's
        active adapter for that intention set (else the default one); before any admin
        has activated anything (the base model included), ITUNE_ADAPTER, or where that is
        the built-in adapter, its specialist for exactly these intentions and this text (or
        the one that leads on these intentions about this text) if it has one; else the
        base model. Revisions record the registry's name, so
        acceptance per adapter adds up."""
        active = registry.active_adapter(intentions)
        if active is not None:
            return active.name, Path(active.path)
        if settings.adapter is not None and not registry.has_choice(intentions):
            folder = serves_builtin and builtin_specialist(intentions, text)
            if folder and len(set(intentions)) > 1:  # a leader: only while it leads
                folder = folder if any(folder == f for _, (_, f) in leads()) else None
            folder = folder or settings.adapter
            return adapter_name(folder), folder
        return None, None

    def follow_ups(intentions: tuple[str, ...] = ()) -> list[tuple[str, AdapterChoice]]:
        """The built-in specialists that follow the built-in adapter on a request for
        several intentions (docs/default-adapter.md, "Requests that combine intentions"),
        in order: where the built-in adapter serves the request as the default (no admin
        has chosen for that set or for every request), each specialist whose intention it
        asks for and that still serves its intention alone. ``()``: those that follow on
        a request for several intentions that no admin has chosen for."""
        if not serves_builtin or len(intentions) == 1:
            return []
        if registry.active_adapter(intentions) is not None or registry.has_choice(intentions):
            return []
        found = []
        for scope in BUILTIN_SPECIALISTS:
            (intention,) = scope
            if intention not in BUILTIN_FOLLOWERS:
                continue
            choice = serving_adapter(tuple(scope))
            asked = intention in intentions or not intentions
            if asked and choice[1] is not None and choice[1] == builtin_specialist(scope):
                found.append((intention, choice))
        return found

    def leads() -> list[tuple[str, AdapterChoice]]:
        """The built-in specialists that revise first, in the built-in adapter's place, a
        request for their intention among others about everyday prose that no admin has
        chosen for, each with its intention: each that still serves its intention alone;
        none where an admin chose for every request."""
        if not serves_builtin or registry.active_adapter(()) is not None or registry.has_choice(()):
            return []
        found = []
        for intention in BUILTIN_LEADERS:
            folder = builtin_specialist((intention,))
            if folder is not None and serving_adapter((intention,))[1] == folder:
                found.append((intention, (adapter_name(folder), folder)))
        return found

    def routes() -> list[tuple[tuple[str, ...], str | None, str | None]]:
        """The intention sets that another adapter than the default's serves now, each
        with that adapter's name and the texts it serves (None: every text; "everyday
        prose": a built-in specialist that serves only those, the default the rest)."""
        default = serving_adapter()[0]
        scopes = {scope for scope in registry.active_by_scope() if scope}
        scopes |= {tuple(sorted(scope)) for scope in BUILTIN_SPECIALISTS}
        found = []
        for scope in sorted(scopes):
            name, folder = serving_adapter(scope)
            if name == default:
                continue
            builtin = folder is not None and folder == builtin_specialist(scope)
            everyday = builtin and set(scope) & set(BUILTIN_EVERYDAY_ONLY)
            found.append((scope, name, "everyday prose" if everyday else None))
        return found

    def warm() -> list[AdapterChoice]:
        """What serves every request now, and each built-in specialist's intentions."""
        return [serving_adapter(), *(serving_adapter(tuple(s)) for s in BUILTIN_SPECIALISTS)]

    slot = ModelSlot(settings, warm=warm).start()

    def get_reviser(intentions: tuple[str, ...] = (), text: str | None = None) -> Reviser:
        pool = slot.pool()  # first: the adapter is chosen when the model is there to use it
        reviser = pool.reviser_for(*serving_adapter(intentions, text))
        ups = follow_ups(intentions) if intentions else []
        for _, choice in ups:
            pool.reviser_for(*choice)  # attached (warm() has usually done it at start)
        return replace(reviser, follow_ups=tuple((i, name) for i, (name, _) in ups))

    def reviser_named(name: str) -> Reviser:
        """A request that names its adapter gets it, whatever is active."""
        if name == BASE_MODEL:
            return slot.pool().reviser_for(None, None)
        adapter = registry.get_adapter_by_name(name)
        if adapter is None or adapter.deleted_at is not None:
            raise RecordNotFound(f"no adapter named {name!r} in the registry")
        return slot.pool().reviser_for(adapter.name, Path(adapter.path))

    access = Access(UserStore(store.engine), loopback=settings.loopback)
    studio = Studio(
        get_reviser=get_reviser,
        store=store,
        max_chars=settings.max_chars,
        current_adapter=lambda: serving_adapter()[0],
        current_routes=routes,
        current_follow_ups=lambda: [(i, name) for i, (name, _) in follow_ups()],
        current_leads=lambda: [(i, name) for i, (name, _) in leads()],
        reviser_named=reviser_named,
        identify=access.identity,
    )
    subtitle = (
        "Revise a draft by saying *why*: pick intentions, review each edit, keep what you like."
    )
    blocks = build_ui(
        studio,
        admin=build_admin(settings, store, access),
        subtitle=subtitle,
        model_concurrency=settings.model_concurrency,
    )
    blocks.queue(default_concurrency_limit=4)
    # Waiting model work never blocks a cheap call, nor one writer's the others'.
    bound_per_lane(blocks, settings.queue_size, per_writer=studio.max_in_flight)
    return blocks, studio, slot


def register_builtin(registry, folder: Path) -> None:
    """List the built-in adapter in the registry (once; marked ``builtin`` in its lineage),
    so admins see it beside their own, can activate it again after another, and its
    acceptance adds up like any adapter's."""
    from storage.errors import InvalidState
    from training.worker import adapter_from_output

    name = adapter_name(folder)
    if registry.get_adapter_by_name(name) is not None:
        return
    try:
        new = adapter_from_output(folder, name)
        lineage = {**new.lineage, "builtin": True}
        registry.register_adapter(replace(new, lineage=lineage))
    except InvalidState:
        pass  # another process registered it first
    except (OSError, ValueError, KeyError) as err:
        logger.warning("the built-in adapter in %s is not listed: %s", folder, err)


def check_admin(settings: Settings, users: UserStore) -> None:
    """Set up the admin given in the environment, and refuse a public bind without one.

    Raises:
        ValueError: a bad admin name or password, or a non-loopback address with no admin
            (anyone on the network could otherwise train and activate adapters).
    """
    if settings.admin_password is not None:
        users.ensure_admin(settings.admin_user, settings.admin_password)
        logger.info("admin %r set up from ITUNE_ADMIN_PASSWORD", settings.admin_user)
    if not settings.loopback and not any(u.is_admin for u in users.list_users()):
        raise ValueError(
            f"refusing to serve on {settings.server_name} without an admin password: set "
            "ITUNE_ADMIN_PASSWORD (and optionally ITUNE_ADMIN_USER), or create an admin with "
            "`python -m storage.users add NAME --admin`"
        )


def launch(blocks, settings: Settings, users: UserStore, **kwargs):
    """Launch the app; with users in the database, everyone logs in (Gradio's login page,
    checked against the scrypt hashes). Users created while the app runs are asked to
    log in after the next restart."""
    from starlette.middleware import Middleware

    from services.access import Access
    from ui import CSS
    from ui.http_guards import HostGuard, OriginGuard, UploadGuard
    from ui.login_throttle import LoginGuard, Throttle, authenticator

    def check_password(name: str, password: str) -> bool:
        return users.authenticate(name, password) is not None

    # Off the event loop (scrypt takes ~40 ms), with back-off per account and per address.
    authenticate = authenticator(check_password, Throttle())
    login = users.has_users()  # Gradio's login page is set up at launch or not at all

    def single_user() -> bool:
        # Launched without a login, the app stays without one until it restarts, so the
        # loopback-only rule stays too; launched with one, it holds while no user exists.
        return settings.loopback and (not login or not users.has_users())

    options = {
        "server_name": settings.server_name,
        "server_port": settings.server_port,
        "css": CSS,
        "footer_links": ["api"],
        "auth": authenticate if login else None,
        "auth_message": "Log in to the Revision Studio.",
        "max_file_size": f"{settings.max_upload_mb}mb",  # Gradio answers 413 past it
        "app_kwargs": {
            "middleware": [
                Middleware(OriginGuard, allowed=settings.allowed_origins),
                Middleware(HostGuard, single_user=single_user),
                # The same policy as every admin action: only admins (or the local user).
                Middleware(
                    UploadGuard, may_upload=Access(users, loopback=settings.loopback).is_admin
                ),
                Middleware(LoginGuard, addresses=Throttle(free=20, max_wait=300.0)),
            ]
        },
    }
    return blocks.launch(**{**options, **kwargs})


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = Settings.from_env(os.environ)
        if settings.adapter is not None:
            check_adapter_dir(settings.adapter)
        settings.home.mkdir(parents=True, exist_ok=True)
        store = Store.open(settings.database_url)  # migrated once, shared with the app
        users = UserStore(store.engine)
        check_admin(settings, users)
    except (ValueError, ItuneError, SQLAlchemyError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2

    blocks, _, _ = build_app(settings, store)
    logger.info("database: %s", masked_url(settings.database_url))
    supervisor = None
    if settings.worker:
        from training.supervisor import WorkerSupervisor

        supervisor = WorkerSupervisor(
            settings.database_url, settings.runs_dir.resolve(), settings.home, env=openmp.SECOND_JOB
        ).start()
    try:
        launch(blocks, settings, users)
    finally:
        if supervisor is not None:
            supervisor.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
