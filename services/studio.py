"""What the writer's actions do, apart from how Gradio shows them.

``Studio`` joins the reviser (itune_core) and the store (storage): it validates a request
before anything is generated or written, records each revision and each decision as one
transaction, and keeps the final text in step with the decisions. The Gradio handlers in
``revise_tab`` and the HTTP API both call it, so the browser and ``gradio_client`` get the
same behaviour. No Gradio here, so it is tested without a server.
"""

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from itune_core.edits import Edit, apply_edits
from itune_core.errors import InvalidText, ModelLoadError
from itune_core.intentions import INTENTIONS, parse_intentions
from itune_core.reviser import ReviseProgress, Reviser, check_text
from services.errors import PermissionDenied
from storage.errors import InvalidState, RecordNotFound
from storage.records import StoredRevision
from storage.store import Store

logger = logging.getLogger(__name__)

STATUS = {"accept": "accepted", "reject": "rejected"}
MAX_NOTE_CHARS = 2_000  # a reason note on a rejected edit
BASE_MODEL = "base"  # what a request names to revise with the base model alone
NO_PREDICTOR = (
    "the serving adapter has no intention predictor, so it cannot suggest intentions; "
    "pick them yourself, or have an admin activate an Intention-Tuning adapter"
)


def _base_model() -> str | None:
    return None


def revision_view(revision: StoredRevision) -> dict:
    """A stored revision as the JSON the UI and the API return."""
    return {
        "revision_id": revision.id,
        "source": revision.source,
        "revised": revision.revised,
        "final_text": revision.final_text,
        "intentions": list(revision.intentions),
        "model": revision.model,
        "adapter": revision.adapter,
        "latency_ms": round(revision.latency_ms, 1),
        "generated_tokens": revision.generated_tokens,
        "rating": revision.rating,
        "user": revision.user,
        "parent_id": revision.parent_id,
        "edits": [
            {
                "position": k,
                **edit.to_dict(),
                "status": STATUS.get(
                    getattr(revision.decisions.get(k), "decision", None),
                    "suggested" if k in revision.held else "pending",
                ),
                "reason": getattr(revision.decisions.get(k), "reason", None),
                "held": revision.held.get(k),
            }
            for k, edit in enumerate(revision.edits)
        ],
    }


@dataclass
class Studio:
    """The writer's actions over one reviser and one store.

    Attributes:
        get_reviser: returns the reviser for a new request for the given intentions about
            the given text, with the adapter serving that intention set (and that text:
            a built-in specialist may serve everyday prose only) now (``()``: the default
            one, for a request that has no intentions yet); blocks while the model is
            loading.
        store: where every action is recorded.
        max_chars: the longest text accepted.
        current_adapter: the name of the adapter serving new requests now (None: the
            base model); cheap, it loads no model.
        current_routes: the intention sets that another adapter serves now (an admin's
            choice for that set, or a built-in specialist), each with its name (None: the
            base model) and the texts it serves (None: every text; e.g. "everyday prose"
            for a specialist that serves only those); cheap, it loads no model.
        current_leads: the adapters that revise first, in the default one's place, a
            request for their intention among others about everyday prose (the built-in
            adapter's fluency specialist), each ``(intention, name)``; cheap, it loads no
            model.
        current_follow_ups: the adapters that revise again, each for one intention alone,
            what the default adapter revised for several intentions among which that one
            (the built-in adapter's specialists), in order, each ``(intention, name)``;
            cheap, it loads no model.
        reviser_named: returns the reviser for a registered adapter named by the request
            (``BASE_MODEL``: the base model), whatever is active; None: requests cannot
            choose.
        identify: the access policy, asked on every call with the logged-in name: returns
            the name to act as (None where no login exists) or raises PermissionDenied
            (``services.access.Access.identity``); None: the name is taken as given.
        max_in_flight: revisions one writer (one browser session where no login exists)
            may have running at once; more are refused, so one writer cannot fill the
            model's queue.
    """

    get_reviser: Callable[[tuple[str, ...], str], Reviser]
    store: Store
    max_chars: int
    current_adapter: Callable[[], str | None] = _base_model
    current_routes: Callable[[], list[tuple[tuple[str, ...], str | None, str | None]]] = list
    current_follow_ups: Callable[[], list[tuple[str, str]]] = list
    current_leads: Callable[[], list[tuple[str, str]]] = list
    reviser_named: Callable[[str], Reviser] | None = None
    identify: Callable[[str | None], str | None] | None = None
    max_in_flight: int = 2
    _running: Counter = field(default_factory=Counter, init=False, repr=False)
    _running_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def _who(self, user: str | None) -> str | None:
        return user if self.identify is None else self.identify(user)

    def serving(self) -> str | None:
        """The adapter new revisions are made with (None: the base model)."""
        return self.current_adapter()

    def serving_routes(self) -> list[tuple[tuple[str, ...], str | None, str | None]]:
        """The intention sets whose requests another adapter revises, each with its name
        (None: the base model) and the texts it revises (None: every text)."""
        return self.current_routes()

    def serving_leads(self) -> list[tuple[str, str]]:
        """The adapters that revise first a request for their intention among others about
        everyday prose, each with that intention."""
        return self.current_leads()

    def serving_follow_ups(self) -> list[tuple[str, str]]:
        """The adapters that follow the default one on a request for several intentions,
        each with the intention it revises for alone, in order."""
        return self.current_follow_ups()

    def revise(
        self,
        text: str,
        intentions: Sequence[str] | str,
        *,
        session_id: str | None = None,
        user: str | None = None,
        parent_id: int | None = None,
        adapter: str | None = None,
    ) -> Iterator[tuple[ReviseProgress, dict | None]]:
        """Revise and record; yields ``(progress, None)`` then ``(last, revision view)``.

        Args:
            parent_id: "Revise again": the revision this round follows (``text`` is
                usually its final text). Edits the writer rejected anywhere in its lineage
                (same before and after text, ignoring surrounding spaces) are not suggested
                again, and the new revision records it as its parent.
            adapter: revise with this registered adapter (``BASE_MODEL``: the base model)
                instead of the active one; concurrent requests may each name their own.

        Bad input raises (InvalidText, UnknownIntention; RecordNotFound for a missing parent,
        PermissionDenied for another writer's) before anything is generated or stored.
        """
        user = self._who(user)
        check_text(text, self.max_chars)
        wanted = parse_intentions(intentions)
        rejected = set() if parent_id is None else self._rejected_in_lineage(parent_id, user)
        reviser = self._reviser(wanted, adapter, text)
        with self._slot(user if user is not None else f"session:{session_id}"):
            yield from self._revise(reviser, text, wanted, rejected, session_id, user, parent_id)

    @contextmanager
    def _slot(self, writer: str) -> Iterator[None]:
        """One of the writer's ``max_in_flight`` revisions, for as long as it runs."""
        with self._running_lock:
            if self._running[writer] >= self.max_in_flight:
                raise InvalidState(
                    f"you already have {self._running[writer]} revisions running; wait for "
                    "one to finish before starting another"
                )
            self._running[writer] += 1
        try:
            yield
        finally:
            with self._running_lock:
                self._running[writer] -= 1
                if not self._running[writer]:
                    del self._running[writer]

    def _revise(self, reviser, text, wanted, rejected, session_id, user, parent_id):
        for progress in reviser.stream(text, wanted):
            if progress.revision is None:
                yield progress, None
                continue
            done = progress.revision
            kept = [e for e in done.edits if _edit_key(e) not in rejected]
            if len(kept) < len(done.edits):
                # Rebuilt from the kept edits, so the text and the edits stored agree.
                revised = apply_edits(done.source, kept)
                done = replace(done, revised=revised, edits=tuple(kept))
                progress = replace(progress, text=revised, revision=done)
            suggested = [s for s in done.suggestions if _edit_key(s.edit) not in rejected]
            revision_id = self.store.record_revision(
                source=done.source,
                revised=done.revised,
                intentions=done.intentions,
                edits=done.edits,
                model=done.model,
                adapter=done.adapter,
                latency_ms=done.seconds * 1000.0,
                generated_tokens=done.generated_tokens,
                session_id=session_id,
                user=user,
                parent_id=parent_id,
                suggestions=suggested,
            )
            view = revision_view(self.store.get_revision(revision_id))
            view["discarded_pieces"] = done.discarded_pieces
            view["held_edits"] = [held.to_dict() for held in done.held_edits]
            view["unsure_edits"] = [unsure.to_dict() for unsure in done.unsure_edits]
            yield progress, view

    def _rejected_in_lineage(self, parent_id: int, user: str | None) -> set[tuple[str, str]]:
        """The (before, after) of every edit rejected in ``parent_id`` and its ancestors."""
        if isinstance(parent_id, bool) or not isinstance(parent_id, int):
            raise RecordNotFound(f"parent revision {parent_id!r} does not exist")
        rejected: set[tuple[str, str]] = set()
        seen: set[int] = set()
        current: int | None = parent_id
        while current is not None and current not in seen:
            seen.add(current)
            revision = self.store.get_revision(current)  # RecordNotFound if there is none
            if current == parent_id and revision.user != user:
                raise PermissionDenied(f"revision {parent_id} is not yours")
            rejected |= {
                _edit_key(revision.edits[k])
                for k, d in revision.decisions.items()
                if d.decision == "reject"
            }
            current = revision.parent_id
        return rejected

    def suggest(self, text: str, *, user: str | None = None) -> list[dict]:
        """Which intentions ``text`` needs, most confident first.

        The serving adapter revises the text once for every intention (not recorded) and
        its intention predictor labels those edits; an intention's confidence is the
        highest any edit gave it.

        Returns:
            ``[{"intention": name, "confidence": 0-1}, ...]``; empty when the model found
            nothing to change.

        Raises:
            InvalidText: see ``check_text``.
            InvalidState: the serving adapter has no intention predictor.
        """
        # Imported here: labelling pulls in peft, which the app does not otherwise need
        # until an adapter is attached.
        from itune_core.labelling import suggest_intentions

        self._who(user)  # refused where login is required and there is none
        check_text(text, self.max_chars)
        reviser = self._reviser((), None, text)
        if reviser.labeller is None:
            raise InvalidState(NO_PREDICTOR)
        trial = reviser.revise(text, INTENTIONS)
        return [
            {"intention": name, "confidence": round(confidence, 4)}
            for name, confidence in suggest_intentions(trial.edits)
        ]

    def decide(
        self,
        revision_id: int,
        position: int,
        decision: str,
        reason: str | None = None,
        note: str | None = None,
        typed_text: str | None = None,
        *,
        user: str | None = None,
    ) -> dict:
        """Accept or reject one edit; the final text follows in the same transaction.

        Args:
            typed_text: the final text as the writer typed it, kept instead of the text the
                decisions give (so a decision never overwrites the writer's typing).
            user: the logged-in writer; only the revision's own writer may decide.

        Raises:
            RecordNotFound: no such revision or edit.
            InvalidDecision: bad decision or reason.
            PermissionDenied: another writer's revision.
        """
        return self.decide_many(
            revision_id, [position], decision, reason, note, None, typed_text, user=user
        )

    def decide_many(
        self,
        revision_id: int,
        positions: Sequence[int] | None,
        decision: str,
        reason: str | None = None,
        note: str | None = None,
        intention: str | None = None,
        typed_text: str | None = None,
        *,
        user: str | None = None,
    ) -> dict:
        """Accept or reject several edits at once (None: every edit offered, or every one
        of ``intention``; a suggestion only ever by its position); only the revision's own
        writer (``user``) may."""
        self.check_owner(revision_id, user)
        if typed_text is not None:
            self._check_final(typed_text)
        if note is not None and isinstance(note, str) and len(note) > MAX_NOTE_CHARS:
            raise InvalidText(
                f"the note has {len(note):,} characters; the limit is {MAX_NOTE_CHARS:,}"
            )
        current = self.store.get_revision(revision_id)
        offered = [k for k in range(len(current.edits)) if k not in current.held]
        if positions is None and intention is not None:
            (intention,) = parse_intentions([intention])
            positions = [k for k in offered if current.edits[k].intention == intention]
        chosen = offered if positions is None else positions
        # The final text the decisions will give, computed before writing so both land in
        # one transaction; the store validates positions and decision first.
        preview = _with_decisions(current, chosen, decision)
        if typed_text is not None and preview is not None:
            preview = typed_text
        if len(chosen) == 1 and positions is not None:
            self.store.record_decision(
                revision_id, chosen[0], decision, reason=reason, note=note, final_text=preview
            )
        else:
            self.store.record_decisions(revision_id, list(chosen), decision, final_text=preview)
        return revision_view(self.store.get_revision(revision_id))

    def save_final(self, revision_id: int, text: str, *, user: str | None = None) -> dict:
        """Store the final text as the writer (``user``, who must own it) typed it.

        Raises:
            InvalidText: longer than the draft limit (``max_chars``), or not storable.
            PermissionDenied: another writer's revision.
        """
        self.check_owner(revision_id, user)
        self._check_final(text)
        self.store.save_final_text(revision_id, text)
        return revision_view(self.store.get_revision(revision_id))

    def _check_final(self, text: object) -> None:
        if not isinstance(text, str):
            raise InvalidText(f"the final text must be a string, got {type(text).__name__}")
        if len(text) > self.max_chars:
            raise InvalidText(
                f"the final text has {len(text):,} characters; the limit is "
                f"{self.max_chars:,}, as for a draft"
            )

    def rate(self, revision_id: int, rating: int, *, user: str | None = None) -> dict:
        """Store the writer's 1-5 rating of their own revision."""
        self.check_owner(revision_id, user)
        self.store.record_rating(revision_id, rating)
        return revision_view(self.store.get_revision(revision_id))

    def _reviser(self, wanted: tuple[str, ...], adapter: object, text: str) -> Reviser:
        """The reviser for a request about ``text``; an adapter that cannot be loaded is
        named to the writer without the server's paths (the log keeps the whole message)."""
        try:
            if adapter is None:
                return self.get_reviser(wanted, text)
            return self._reviser_named(adapter)
        except ModelLoadError as err:
            name = adapter if isinstance(adapter, str) else self.current_adapter()
            logger.error("cannot serve adapter %r: %s", name, err)
            raise ModelLoadError(
                f"the adapter {name!r} cannot be served now (its files are missing or "
                "damaged); an admin can see why in the server's log"
            ) from None

    def _reviser_named(self, adapter: object) -> Reviser:
        if not isinstance(adapter, str) or not adapter.strip():
            raise InvalidState(f"name an adapter of the registry or {BASE_MODEL!r}: {adapter!r}")
        if self.reviser_named is None:
            raise InvalidState("this app serves only its active adapter")
        return self.reviser_named(adapter.strip())

    def check_owner(self, revision_id: int, user: str | None) -> None:
        """Refuse another writer's revision (the API acts by id; a writer who guesses an id
        must not read or change someone else's text), and anyone the access policy refuses.

        Raises:
            RecordNotFound: no such revision.
            PermissionDenied: it was made by another writer, or login is required.
        """
        user = self._who(user)
        if self.store.get_revision(revision_id).user != user:
            raise PermissionDenied(f"revision {revision_id} is not yours")

    def get(self, revision_id: int, *, user: str | None = None) -> dict:
        """A stored revision with its edits and decisions (the owner's only)."""
        self.check_owner(revision_id, user)
        return revision_view(self.store.get_revision(revision_id))

    def history(self, *, user: str | None = None, limit: int = 50) -> list[dict]:
        """The latest revisions of ``user`` (every revision where no login exists), newest
        first, as JSON rows.

        Raises:
            PermissionDenied: login is required and there is none.
        """
        user = self._who(user)
        return [
            {
                "revision_id": row.id,
                "created_at": row.created_at.isoformat(timespec="seconds"),
                "source_preview": row.source_preview,
                "intentions": list(row.intentions),
                "edits": row.edit_count,
                "accepted": row.accepted_count,
                "rejected": row.rejected_count,
                "rating": row.rating,
            }
            for row in self.store.list_revisions(user=user, limit=limit)
        ]


def _edit_key(edit: Edit) -> tuple[str, str]:
    """What makes two edits of different rounds the same suggestion."""
    return edit.before.strip(), edit.after.strip()


def _with_decisions(current: StoredRevision, positions, decision: str) -> str | None:
    """The final text once ``decision`` holds for ``positions`` (None if they are bad)."""
    valid = [p for p in positions if isinstance(p, int) and 0 <= p < len(current.edits)]
    if len(valid) != len(positions):
        return None  # the store raises RecordNotFound
    if decision not in STATUS:
        return None  # the store raises InvalidDecision
    decided = {k: d.decision for k, d in current.decisions.items()} | dict.fromkeys(valid, decision)
    return apply_edits(current.source, current.applied(decided))
