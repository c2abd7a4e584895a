"""The adapter registry: every trained adapter with its lineage and metrics, which one is
active for which intention set, and the live acceptance rate of the edits each produced.

    registry = Registry(engine)
    registry.activate(adapter_id, by_user="ada")   # new requests use it, no restart
    registry.activate(other_id, intentions=["fluency"])  # ... except fluency-only ones
    registry.rollback(by_user="ada")               # back to the one active before
    registry.active_adapter(["fluency"])           # an Adapter, or None for the base model

Activations are an append-only history (``activations``): ``activate`` pushes an adapter
(or None, the base model), ``rollback`` pops back to the one before; replaying the history
gives the active adapter. Each intention set has its own history (its *scope*); a request
whose intention set has none is served by the default scope's (""), so one adapter can
serve everything while another serves, say, fluency-only requests. Only an admin action
writes the history: a training run never does, so a failed or cancelled run cannot change
what is active. Deleting is soft (``deleted_at``); an adapter active in any scope cannot
be deleted, and its files on disk are left alone.

Revisions name their adapter in ``revisions.adapter_name``; names are unique for good
(deleted adapters keep their row), so acceptance per adapter joins on the name.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from itune_core.intentions import parse_intentions
from storage.errors import InvalidState, RecordNotFound
from storage.feedback import Acceptance, acceptance_by
from storage.models import ActivationRow, AdapterRow, RevisionRow
from storage.store import _now, _utc

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewAdapter:
    """What registering an adapter needs (``training.worker`` reads it from a run's folder:
    lineage.json, metrics.json).

    Raises:
        ValueError: an empty name, path, base model or method.
    """

    name: str
    path: str
    base_model: str
    method: str
    s_gen: tuple[int, ...] = ()
    lineage: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    data_hash: str | None = None
    feedback_revision_ids: tuple[int, ...] = ()
    parent_id: int | None = None  # the registered adapter it was trained from (init_from)

    def __post_init__(self) -> None:
        for name in ("name", "path", "base_model", "method"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"NewAdapter.{name} must be a non-empty string, got {value!r}")
        if len(self.name) > 255:
            raise ValueError(f"NewAdapter.name must be at most 255 characters, got {self.name!r}")


@dataclass(frozen=True)
class Adapter:
    """A registered adapter, with whether it is active and how writers received its edits
    (current decisions on edits of revisions made with it)."""

    id: int
    name: str
    path: str
    base_model: str
    method: str
    s_gen: tuple[int, ...]
    lineage: dict[str, Any]
    metrics: dict[str, Any]
    data_hash: str | None
    feedback_revision_ids: tuple[int, ...]
    run_id: int | None
    created_at: datetime
    deleted_at: datetime | None
    active: bool
    acceptance: Acceptance
    active_for: tuple[tuple[str, ...], ...] = ()  # the intention sets it serves; () = default
    parent_id: int | None = None  # the adapter it was trained from (None: from scratch)
    parent_name: str | None = None

    @property
    def hyperparameters(self) -> dict[str, Any]:
        return dict(self.lineage.get("hyperparameters") or {})


@dataclass(frozen=True)
class ActivationEvent:
    """One line of the activation history (``adapter_id`` None: the base model;
    ``intentions`` () the default scope, every intention set without its own)."""

    id: int
    adapter_id: int | None
    adapter_name: str | None
    action: str
    created_at: datetime
    by_user: str | None
    intentions: tuple[str, ...] = ()


def scope_of(intentions: Iterable[str] | str | None) -> tuple[str, ...]:
    """The canonical intention set of a scope (() for the default scope: None or empty).

    Raises:
        UnknownIntention: a name is not an intention.
    """
    if intentions is None:
        return ()
    if isinstance(intentions, str):
        return parse_intentions(intentions) if intentions.strip() else ()
    names = list(intentions)
    return parse_intentions(names) if names else ()


def scope_text(intentions: tuple[str, ...]) -> str:
    return ", ".join(intentions) if intentions else "every intention set"


def _key(intentions: tuple[str, ...]) -> str:
    return ",".join(intentions)


def _from_key(key: str) -> tuple[str, ...]:
    return tuple(key.split(",")) if key else ()


def insert_adapter(session: Session, adapter: NewAdapter, run_id: int | None = None) -> Adapter:
    """Add an adapter inside the caller's transaction (``RunStore.complete_run`` registers
    a run's adapter together with its success).

    Raises:
        InvalidState: the name is taken (by a live or a deleted adapter).
        RecordNotFound: ``parent_id`` names no adapter.
    """
    taken = session.scalar(sa.select(AdapterRow.id).where(AdapterRow.name == adapter.name))
    if taken is not None:
        raise InvalidState(f"an adapter named {adapter.name!r} already exists")
    parent = None if adapter.parent_id is None else _adapter_row(session, adapter.parent_id)
    row = AdapterRow(
        name=adapter.name,
        path=adapter.path,
        base_model=adapter.base_model,
        method=adapter.method,
        s_gen=[int(b) for b in adapter.s_gen],
        lineage=dict(adapter.lineage),
        metrics=dict(adapter.metrics),
        data_hash=adapter.data_hash,
        feedback_revision_ids=[int(i) for i in adapter.feedback_revision_ids],
        run_id=run_id,
        created_at=_now(),
        parent_id=adapter.parent_id,
    )
    session.add(row)
    session.flush()
    return _adapter_record(
        row,
        active=False,
        acceptance=Acceptance(adapter.name),
        parent_name=parent and parent.name,
    )


def _adapter_record(
    row: AdapterRow,
    *,
    active: bool,
    acceptance: Acceptance,
    active_for: tuple[tuple[str, ...], ...] = (),
    parent_name: str | None = None,
) -> Adapter:
    return Adapter(
        id=row.id,
        name=row.name,
        path=row.path,
        base_model=row.base_model,
        method=row.method,
        s_gen=tuple(row.s_gen),
        lineage=dict(row.lineage),
        metrics=dict(row.metrics),
        data_hash=row.data_hash,
        feedback_revision_ids=tuple(row.feedback_revision_ids),
        run_id=row.run_id,
        created_at=_utc(row.created_at),
        deleted_at=None if row.deleted_at is None else _utc(row.deleted_at),
        active=active,
        acceptance=acceptance,
        active_for=active_for,
        parent_id=row.parent_id,
        parent_name=parent_name,
    )


def _parent_names(session: Session, rows: Sequence[AdapterRow]) -> dict[int, str]:
    """The names of the parents of ``rows``, by id."""
    ids = {r.parent_id for r in rows if r.parent_id is not None}
    if not ids:
        return {}
    query = sa.select(AdapterRow.id, AdapterRow.name).where(AdapterRow.id.in_(ids))
    return dict(session.execute(query).all())


def _stack(session: Session, scope: str = "") -> list[int | None]:
    """Replay one scope's activation history: the last element is its active adapter."""
    stack: list[int | None] = []
    rows = sa.select(ActivationRow).where(ActivationRow.scope == scope).order_by(ActivationRow.id)
    for row in session.scalars(rows):
        if row.action == "activate":
            stack.append(row.adapter_id)
            continue
        # A rollback records where it went: pop back to it (base model if nothing is left).
        if stack:
            stack.pop()
        while stack and stack[-1] != row.adapter_id:
            stack.pop()
        if not stack and row.adapter_id is not None:
            stack.append(row.adapter_id)
    return stack


def _latest(session: Session, scope: str) -> tuple[bool, int | None]:
    """(whether the scope has a history, its active adapter): where its latest activation
    or rollback went (each row records it), so one row is read instead of replaying the
    history (``_stack``'s top is the same adapter)."""
    latest = (
        sa.select(ActivationRow.adapter_id)
        .where(ActivationRow.scope == scope)
        .order_by(ActivationRow.id.desc())
        .limit(1)
    )
    rows = session.execute(latest).all()
    return (True, rows[0][0]) if rows else (False, None)


def _active_id(session: Session, scope: str = "") -> int | None:
    """The adapter serving ``scope``: its own history's, else the default scope's."""
    found, adapter_id = _latest(session, scope)
    if found or not scope:
        return adapter_id
    return _latest(session, "")[1]


def _active_by_scope(session: Session) -> dict[str, int | None]:
    """Every scope with a history, and the adapter active in it."""
    latest = (
        sa.select(ActivationRow.scope, sa.func.max(ActivationRow.id).label("id"))
        .group_by(ActivationRow.scope)
        .subquery()
    )
    rows = session.execute(
        sa.select(ActivationRow.scope, ActivationRow.adapter_id).join(
            latest, ActivationRow.id == latest.c.id
        )
    )
    return {scope: adapter_id for scope, adapter_id in rows}


def _adapter_row(session: Session, adapter_id: int) -> AdapterRow:
    row = session.get(AdapterRow, adapter_id)
    if row is None:
        raise RecordNotFound(f"adapter {adapter_id} does not exist")
    return row


class Registry:
    """Registered adapters and the activation history on one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def register_adapter(self, adapter: NewAdapter) -> Adapter:
        """Register an adapter trained elsewhere (a run's adapter is registered by
        ``RunStore.complete_run``). It is not activated.

        Raises:
            InvalidState: the name is taken.
        """
        try:
            with Session(self.engine) as session, session.begin():
                return insert_adapter(session, adapter)
        except IntegrityError:  # a concurrent registration took the name
            raise InvalidState(f"an adapter named {adapter.name!r} already exists") from None

    def _records(self, session: Session, rows: Sequence[AdapterRow]) -> list[Adapter]:
        scopes = _active_by_scope(session)
        rates = acceptance_by(
            session,
            RevisionRow.adapter_name,
            RevisionRow.adapter_name.in_([r.name for r in rows]),
        )
        parents = _parent_names(session, rows)
        records = []
        for r in rows:
            active_for = tuple(
                _from_key(key) for key in sorted(scopes) if scopes[key] == r.id
            )  # the default scope ("") first
            records.append(
                _adapter_record(
                    r,
                    active=bool(active_for),
                    acceptance=rates.get(r.name, Acceptance(r.name)),
                    active_for=active_for,
                    parent_name=parents.get(r.parent_id),
                )
            )
        return records

    def list_adapters(self, include_deleted: bool = False) -> list[Adapter]:
        """Every adapter, newest first, with its acceptance and whether it is active."""
        query = sa.select(AdapterRow).order_by(AdapterRow.id.desc())
        if not include_deleted:
            query = query.where(AdapterRow.deleted_at.is_(None))
        with Session(self.engine) as session, session.begin():
            return self._records(session, list(session.scalars(query)))

    def get_adapter(self, adapter_id: int) -> Adapter:
        """Raises: RecordNotFound: no such adapter."""
        with Session(self.engine) as session, session.begin():
            return self._records(session, [_adapter_row(session, adapter_id)])[0]

    def get_adapter_by_name(self, name: str) -> Adapter | None:
        with Session(self.engine) as session, session.begin():
            row = session.scalars(sa.select(AdapterRow).where(AdapterRow.name == name)).first()
            return None if row is None else self._records(session, [row])[0]

    def find_adapter(self, ref: int | str) -> Adapter | None:
        """An adapter by id (an int, or a string of digits) or else by name; None when
        neither names one (deleted adapters included: check ``deleted_at``)."""
        if isinstance(ref, bool):
            return None
        if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isdigit()):
            with Session(self.engine) as session, session.begin():
                row = session.get(AdapterRow, int(ref))
                if row is not None:
                    return self._records(session, [row])[0]
        return self.get_adapter_by_name(ref.strip()) if isinstance(ref, str) else None

    def active_adapter(self, intentions: Iterable[str] | str | None = None) -> Adapter | None:
        """The adapter new requests for ``intentions`` use (None: the default scope's);
        None for the base model alone.

        Raises:
            UnknownIntention: a name is not an intention.
        """
        scope = _key(scope_of(intentions))
        with Session(self.engine) as session, session.begin():
            active = _active_id(session, scope)
            if active is None:
                return None
            return self._records(session, [_adapter_row(session, active)])[0]

    def has_choice(self, intentions: Iterable[str] | str | None = None) -> bool:
        """Whether an admin has chosen what serves ``intentions`` (an adapter or the base
        model, for that set or for the default); False before any such activation.

        Raises:
            UnknownIntention: a name is not an intention.
        """
        scope = _key(scope_of(intentions))
        with Session(self.engine) as session, session.begin():
            return _latest(session, scope)[0] or (bool(scope) and _latest(session, "")[0])

    def active_by_scope(self) -> dict[tuple[str, ...], Adapter | None]:
        """Every intention set with an activation history of its own (() : the default),
        and the adapter serving it (None: the base model), the default first."""
        with Session(self.engine) as session, session.begin():
            scopes = _active_by_scope(session)
            ids = sorted({i for i in scopes.values() if i is not None})
            rows = list(session.scalars(sa.select(AdapterRow).where(AdapterRow.id.in_(ids))))
            records = {a.id: a for a in self._records(session, rows)}
            return {
                _from_key(key): None if scopes[key] is None else records[scopes[key]]
                for key in sorted(scopes)
            }

    def activate(
        self,
        adapter_id: int | None,
        by_user: str | None = None,
        intentions: Iterable[str] | str | None = None,
    ) -> Adapter | None:
        """Make an adapter (None: the base model) the one new requests use: requests for
        exactly the intention set ``intentions``, or (None or empty) every request whose
        set has no adapter of its own.

        Returns:
            The adapter now active there (None for the base model).

        Raises:
            RecordNotFound: no such adapter.
            InvalidState: the adapter was deleted.
            UnknownIntention: a name is not an intention.
        """
        scope = scope_of(intentions)
        with Session(self.engine) as session, session.begin():
            if adapter_id is not None:
                row = _adapter_row(session, adapter_id)
                if row.deleted_at is not None:
                    raise InvalidState(f"adapter {row.name!r} was deleted; it cannot be activated")
            session.add(
                ActivationRow(
                    adapter_id=adapter_id,
                    action="activate",
                    created_at=_now(),
                    by_user=by_user,
                    scope=_key(scope),
                )
            )
        logger.info(
            "%s activated adapter %s for %s", by_user or "someone", adapter_id, scope_text(scope)
        )
        return None if adapter_id is None else self.get_adapter(adapter_id)

    def rollback(
        self, by_user: str | None = None, intentions: Iterable[str] | str | None = None
    ) -> Adapter | None:
        """Go back, in the scope of ``intentions`` (None: the default scope), to the
        adapter that was active there before the current one (skipping deleted ones; the
        base model when there is none).

        Returns:
            The adapter now active there (None for the base model).

        Raises:
            InvalidState: nothing was activated there, so there is nothing to roll back.
            UnknownIntention: a name is not an intention.
        """
        scope = scope_of(intentions)
        with Session(self.engine) as session, session.begin():
            stack = _stack(session, _key(scope))
            if not stack:
                raise InvalidState(
                    f"no adapter was activated for {scope_text(scope)}; "
                    "there is nothing to roll back"
                )
            current = stack.pop()
            deleted = set(
                session.scalars(sa.select(AdapterRow.id).where(AdapterRow.deleted_at.isnot(None)))
            )
            while stack and (stack[-1] == current or stack[-1] in deleted):
                stack.pop()
            target = stack[-1] if stack else None
            session.add(
                ActivationRow(
                    adapter_id=target,
                    action="rollback",
                    created_at=_now(),
                    by_user=by_user,
                    scope=_key(scope),
                )
            )
        logger.info("%s rolled back from adapter %s to %s", by_user or "someone", current, target)
        return None if target is None else self.get_adapter(target)

    def delete_adapter(self, adapter_id: int) -> Adapter:
        """Delete an adapter from the registry (soft: its row and files stay).

        Raises:
            RecordNotFound: no such adapter.
            InvalidState: it is active for some intention set (activate another there
                first).
        """
        with Session(self.engine) as session, session.begin():
            row = _adapter_row(session, adapter_id)
            serving = [k for k, v in sorted(_active_by_scope(session).items()) if v == adapter_id]
            if serving:
                where = "; ".join(scope_text(_from_key(k)) for k in serving)
                raise InvalidState(
                    f"adapter {row.name!r} is active for {where}; activate another there "
                    "(or roll back) first"
                )
            if row.deleted_at is None:
                row.deleted_at = _now()
        return self.get_adapter(adapter_id)

    def activation_history(self, limit: int = 50) -> list[ActivationEvent]:
        """The latest activations and rollbacks, newest first."""
        query = (
            sa.select(ActivationRow, AdapterRow.name)
            .outerjoin(AdapterRow, ActivationRow.adapter_id == AdapterRow.id)
            .order_by(ActivationRow.id.desc())
            .limit(limit)
        )
        with Session(self.engine) as session, session.begin():
            return [
                ActivationEvent(
                    id=row.id,
                    adapter_id=row.adapter_id,
                    adapter_name=name,
                    action=row.action,
                    created_at=_utc(row.created_at),
                    by_user=row.by_user,
                    intentions=_from_key(row.scope),
                )
                for row, name in session.execute(query)
            ]
