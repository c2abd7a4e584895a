"""The adapter registry: every trained adapter with its lineage and metrics, which one is
active, and the live acceptance rate of the edits each produced.

    registry = Registry(engine)
    registry.activate(adapter_id, by_user="ada")   # new requests use it, no restart
    registry.rollback(by_user="ada")               # back to the one active before
    registry.active_adapter()                      # an Adapter, or None for the base model

Activations are an append-only history (``activations``): ``activate`` pushes an adapter
(or None, the base model), ``rollback`` pops back to the one before; replaying the history
gives the active adapter. Only an admin action writes it: a training run never does, so a
failed or cancelled run cannot change what is active. Deleting is soft (``deleted_at``);
the active adapter cannot be deleted, and its files on disk are left alone.

Revisions name their adapter in ``revisions.adapter_name``; names are unique for good
(deleted adapters keep their row), so acceptance per adapter joins on the name.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from itune_core.errors import InvalidState, RecordNotFound
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

    @property
    def hyperparameters(self) -> dict[str, Any]:
        return dict(self.lineage.get("hyperparameters") or {})


@dataclass(frozen=True)
class ActivationEvent:
    """One line of the activation history (``adapter_id`` None: the base model)."""

    id: int
    adapter_id: int | None
    adapter_name: str | None
    action: str
    created_at: datetime
    by_user: str | None


def insert_adapter(session: Session, adapter: NewAdapter, run_id: int | None = None) -> Adapter:
    """Add an adapter inside the caller's transaction (``RunStore.complete_run`` registers
    a run's adapter together with its success).

    Raises:
        InvalidState: the name is taken (by a live or a deleted adapter).
    """
    taken = session.scalar(sa.select(AdapterRow.id).where(AdapterRow.name == adapter.name))
    if taken is not None:
        raise InvalidState(f"an adapter named {adapter.name!r} already exists")
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
    )
    session.add(row)
    session.flush()
    return _adapter_record(row, active=False, acceptance=Acceptance(adapter.name))


def _adapter_record(row: AdapterRow, *, active: bool, acceptance: Acceptance) -> Adapter:
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
    )


def _stack(session: Session) -> list[int | None]:
    """Replay the activation history: the last element is the active adapter."""
    stack: list[int | None] = []
    for row in session.scalars(sa.select(ActivationRow).order_by(ActivationRow.id)):
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


def _active_id(session: Session) -> int | None:
    """The active adapter: where the latest activation or rollback went (each row records
    it), so one indexed row is read instead of replaying the history (``_stack``'s top is
    the same adapter)."""
    latest = sa.select(ActivationRow.adapter_id).order_by(ActivationRow.id.desc()).limit(1)
    return session.scalars(latest).first()


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
        active = _active_id(session)
        rates = acceptance_by(
            session,
            RevisionRow.adapter_name,
            RevisionRow.adapter_name.in_([r.name for r in rows]),
        )
        return [
            _adapter_record(
                r, active=r.id == active, acceptance=rates.get(r.name, Acceptance(r.name))
            )
            for r in rows
        ]

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

    def active_adapter(self) -> Adapter | None:
        """The adapter new requests use; None for the base model alone."""
        with Session(self.engine) as session, session.begin():
            active = _active_id(session)
            if active is None:
                return None
            return self._records(session, [_adapter_row(session, active)])[0]

    def activate(self, adapter_id: int | None, by_user: str | None = None) -> Adapter | None:
        """Make an adapter (None: the base model) the one new requests use.

        Returns:
            The adapter now active (None for the base model).

        Raises:
            RecordNotFound: no such adapter.
            InvalidState: the adapter was deleted.
        """
        with Session(self.engine) as session, session.begin():
            if adapter_id is not None:
                row = _adapter_row(session, adapter_id)
                if row.deleted_at is not None:
                    raise InvalidState(f"adapter {row.name!r} was deleted; it cannot be activated")
            session.add(
                ActivationRow(
                    adapter_id=adapter_id, action="activate", created_at=_now(), by_user=by_user
                )
            )
        logger.info("%s activated adapter %s", by_user or "someone", adapter_id)
        return None if adapter_id is None else self.get_adapter(adapter_id)

    def rollback(self, by_user: str | None = None) -> Adapter | None:
        """Go back to the adapter that was active before the current one (skipping deleted
        ones; the base model when there is none).

        Returns:
            The adapter now active (None for the base model).

        Raises:
            InvalidState: nothing was ever activated, so there is nothing to roll back.
        """
        with Session(self.engine) as session, session.begin():
            stack = _stack(session)
            if not stack:
                raise InvalidState("no adapter was activated; there is nothing to roll back")
            current = stack.pop()
            deleted = set(
                session.scalars(sa.select(AdapterRow.id).where(AdapterRow.deleted_at.isnot(None)))
            )
            while stack and (stack[-1] == current or stack[-1] in deleted):
                stack.pop()
            target = stack[-1] if stack else None
            session.add(
                ActivationRow(
                    adapter_id=target, action="rollback", created_at=_now(), by_user=by_user
                )
            )
        logger.info("%s rolled back from adapter %s to %s", by_user or "someone", current, target)
        return None if target is None else self.get_adapter(target)

    def delete_adapter(self, adapter_id: int) -> Adapter:
        """Delete an adapter from the registry (soft: its row and files stay).

        Raises:
            RecordNotFound: no such adapter.
            InvalidState: it is the active adapter (activate another first).
        """
        with Session(self.engine) as session, session.begin():
            row = _adapter_row(session, adapter_id)
            if _active_id(session) == adapter_id:
                raise InvalidState(
                    f"adapter {row.name!r} is active; activate another (or roll back) first"
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
                )
                for row, name in session.execute(query)
            ]
