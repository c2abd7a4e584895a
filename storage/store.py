"""The revision store: records revision requests, their edits, the writer's decisions,
final texts and ratings, and reads them back as records.

A ``Store`` is handed an engine (``open_engine(url)``, any SQLAlchemy URL; a SQLite file by
default). Every public method is one user action and owns exactly one transaction, so what
a method has returned is committed and survives a crash; the helpers below never commit.

    store = Store.open("sqlite:///data-local/itune.db")  # migrates to the latest schema
    revision_id = store.record_revision(source=..., revised=..., intentions=[...], ...)
    store.record_decision(revision_id, 0, "reject", reason="unnecessary")
"""

import logging
import os
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Engine, event
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from itune_core.edits import Edit
from itune_core.errors import InvalidText
from itune_core.suggestions import Suggestion
from storage import migrate
from storage.errors import RecordNotFound, StorageUnavailable
from storage.models import DecisionRow, EditRow, RevisionRow
from storage.records import (
    Decision,
    RevisionSummary,
    StoredRevision,
    check_decision,
    check_rating,
)

logger = logging.getLogger(__name__)

# Set on every new SQLite connection. busy_timeout comes first so that switching the
# journal mode waits for other connections instead of failing; WAL lets the web app read
# while a writer commits, and synchronous=NORMAL is durable in WAL mode except on power
# loss, at a fraction of the fsyncs.
_SQLITE_PRAGMAS = (
    "PRAGMA busy_timeout=5000",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
)
PREVIEW_CHARS = 80


def _set_sqlite_pragmas(dbapi_connection, _connection_record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


# SQLite's primary result codes (the low byte of an extended code) that mean "another
# connection holds the lock" or "the file cannot be opened, read or written": the action
# may well succeed later. Others (no such table, constraint failed...) are bugs, left alone.
_SQLITE_UNAVAILABLE = {5, 6, 8, 10, 14}  # BUSY, LOCKED, READONLY, IOERR, CANTOPEN
_SQLITE_LOCKED = {5, 6}  # BUSY, LOCKED: another connection holds the lock
# PostgreSQL SQLSTATEs of the same kind: lock not available, serialization failure,
# deadlock, statement timeout, server shutting down or starting up; class 08 (connection
# exceptions) is matched by its prefix.
_PG_UNAVAILABLE = {"55P03", "40001", "40P01", "57014", "57P01", "57P02", "57P03"}
UNAVAILABLE_MESSAGE = "the database is busy or unreachable; nothing was saved — try again"


class DatabaseUnavailable(StorageUnavailable, OperationalError):
    """``StorageUnavailable`` raised in place of SQLAlchemy's ``OperationalError``.

    Still an ``OperationalError`` (so a ``SQLAlchemyError``) as well as an ``ItuneError``:
    handlers that turn domain errors into messages show it, and code that already caught
    SQLAlchemy's errors (the worker's log handler, say) keeps catching it.
    """

    def __init__(self, context: ExceptionContext) -> None:
        original = context.original_exception
        OperationalError.__init__(self, context.statement, context.parameters, original)
        lines = str(original).strip().splitlines()
        detail = lines[0].strip() if lines else type(original).__name__
        self.message = f"{UNAVAILABLE_MESSAGE} ({detail})"
        self.args = (self.message,)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):  # OperationalError's would call __init__ with its own arguments
        return (StorageUnavailable, (self.message,))


def _is_unavailable(context: ExceptionContext) -> bool:
    """Whether a failed database call failed because the database is locked or out of
    reach (rather than because of the call itself)."""
    if context.is_pre_ping or not isinstance(context.sqlalchemy_exception, OperationalError):
        return False
    if context.connection is None or context.is_disconnect:
        return True  # no connection could be made, or the one in use was lost
    original = context.original_exception
    code = getattr(original, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _SQLITE_UNAVAILABLE
    state = getattr(original, "sqlstate", None) or ""
    return state.startswith("08") or state in _PG_UNAVAILABLE


def _translate_unavailable(context: ExceptionContext) -> DatabaseUnavailable | None:
    # Raised where the transaction failed, so `with Session.begin()` still rolls back.
    return DatabaseUnavailable(context) if _is_unavailable(context) else None


def open_engine(url: str | URL) -> Engine:
    """Create an engine for a database URL, set up for the store.

    For SQLite files the parent folder is created if missing, and every connection gets
    WAL journaling, foreign keys, a 5 s busy timeout and ``synchronous=NORMAL``. Server
    databases get pre-ping, so connections lost in a server restart are replaced rather
    than failing their next request.

    A database that stays locked past the busy timeout, or that cannot be reached, raises
    ``StorageUnavailable`` (``DatabaseUnavailable``) with a one-line message instead of
    SQLAlchemy's ``OperationalError``; the transaction has then been rolled back.

    Args:
        url: any SQLAlchemy URL, e.g. ``sqlite:///data-local/itune.db`` or
            ``postgresql+psycopg://user@host/itune``.

    Returns:
        The engine; the schema is not touched (see ``storage.migrate.upgrade``).

    Raises:
        StorageUnavailable: the folder of a SQLite file cannot be created.
    """
    url = make_url(url)
    is_sqlite = url.get_backend_name() == "sqlite"
    # In-memory databases and URI filenames (file:...) name no folder to create.
    if is_sqlite and url.database and not url.database.startswith((":memory:", "file:")):
        folder = Path(url.database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # A new database file is private to the service user (it holds every writer's
            # text); SQLite gives its journal files the database file's mode.
            os.close(os.open(url.database, os.O_CREAT | os.O_WRONLY, 0o600))
        except OSError as err:
            problem = f"cannot create {url.database}: {err.strerror or err}"
            raise StorageUnavailable(f"{UNAVAILABLE_MESSAGE} ({problem})") from err
    engine = sa.create_engine(url, pool_pre_ping=not is_sqlite)
    if is_sqlite:
        event.listen(engine, "connect", _set_sqlite_pragmas)
    event.listen(engine, "handle_error", _translate_unavailable)
    return engine


def check_storable(**texts: str | None) -> None:
    """Refuse text that a database cannot store: PostgreSQL text columns reject NUL
    (``\\x00``), so it is refused on every back end, before anything is written.

    Unpaired surrogates (``\\ud800``, which JSON can carry) are refused too: UTF-8 has
    no encoding for them.

    Raises:
        InvalidText: one of the texts (named in the message) holds a NUL character or an
            unpaired surrogate.
    """
    for name, text in texts.items():
        if not isinstance(text, str):
            continue
        what = name.replace("_", " ")
        if "\x00" in text:
            raise InvalidText(f"the {what} contains a NUL character (\\x00)")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as err:
            raise InvalidText(
                f"the {what} contains an unpaired surrogate (U+{ord(text[err.start]):04X})"
            ) from None


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(moment: datetime) -> datetime:
    # SQLite keeps no time zone and hands back naive datetimes; they were written as UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _edit_record(row: EditRow) -> Edit:
    return Edit(
        type=row.type,
        before=row.before,
        after=row.after,
        start_char_pos=row.start_char_pos,
        end_char_pos=row.end_char_pos,
        intention=row.intention,
        confidence=row.confidence,
    )


def _decision_record(row: DecisionRow, position: int) -> Decision:
    return Decision(
        position=position,
        decision=row.decision,
        reason=row.reason,
        note=row.note,
        created_at=_utc(row.created_at),
    )


def _revision_row(session: Session, revision_id: int) -> RevisionRow:
    row = session.get(RevisionRow, revision_id)
    if row is None:
        raise RecordNotFound(f"revision {revision_id} does not exist")
    return row


def _edit_rows(session: Session, revision_id: int) -> list[EditRow]:
    query = sa.select(EditRow).where(EditRow.revision_id == revision_id).order_by(EditRow.position)
    return list(session.scalars(query))


def _edit_at(session: Session, revision_id: int, position: int) -> EditRow:
    query = sa.select(EditRow).where(
        EditRow.revision_id == revision_id, EditRow.position == position
    )
    edit = session.scalars(query).one_or_none()
    if edit is not None:
        return edit
    if session.get(RevisionRow, revision_id) is None:
        raise RecordNotFound(f"revision {revision_id} does not exist (asked for edit {position})")
    count = session.scalar(sa.select(sa.func.count()).where(EditRow.revision_id == revision_id))
    raise RecordNotFound(
        f"revision {revision_id} has no edit at position {position} (it has {count} edits)"
    )


def _latest_decisions(
    session: Session, revision_ids: Iterable[int]
) -> dict[int, dict[int, Decision]]:
    """The current decision per edit position, for each of the given revisions."""
    revision_ids = list(revision_ids)
    # Decisions are append-only and ids only grow, so the largest id per edit is the latest
    # (timestamps of two quick clicks can tie).
    latest_ids = (
        sa.select(sa.func.max(DecisionRow.id))
        .join(EditRow, DecisionRow.edit_id == EditRow.id)
        .where(EditRow.revision_id.in_(revision_ids))
        .group_by(DecisionRow.edit_id)
    )
    query = (
        sa.select(EditRow.revision_id, EditRow.position, DecisionRow)
        .join(EditRow, DecisionRow.edit_id == EditRow.id)
        .where(DecisionRow.id.in_(latest_ids))
    )
    latest: dict[int, dict[int, Decision]] = {rid: {} for rid in revision_ids}
    for revision_id, position, row in session.execute(query):
        latest[revision_id][position] = _decision_record(row, position)
    return latest


# How long opening a SQLite file waits for other processes that open it too (the app and
# its worker start together; the first migrates under a write lock, which on a loaded
# machine can outlast one busy_timeout). Past it, the error stands.
SQLITE_OPEN_WAIT_S = 120.0


def _migrate_when_free(engine: Engine) -> None:
    """``migrate.upgrade``; on SQLite, tried again while another process holds the file's
    lock (its migration), until ``SQLITE_OPEN_WAIT_S``."""
    deadline = time.monotonic() + SQLITE_OPEN_WAIT_S
    while True:
        try:
            migrate.upgrade(engine)
            return
        except OperationalError as err:
            code = getattr(err.orig, "sqlite_errorcode", None)
            locked = code is not None and code & 0xFF in _SQLITE_LOCKED
            if not locked or time.monotonic() > deadline:
                raise
            logger.info("%s is locked by another process; waiting to open it", engine.url)
            time.sleep(0.5)


class Store:
    """Revision history on one database. Safe to share between threads: every method opens
    its own session on the engine's connection pool."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str | URL) -> "Store":
        """Open the database at ``url`` and migrate it to the latest schema.

        Args:
            url: any SQLAlchemy URL (see ``open_engine``).

        Returns:
            A store on that database.
        """
        engine = open_engine(url)
        _migrate_when_free(engine)
        logger.info("revision store open on %s", engine.url.render_as_string(hide_password=True))
        return cls(engine)

    def close(self) -> None:
        """Close the engine's pooled connections (the store can still be used afterwards)."""
        self.engine.dispose()

    def record_revision(
        self,
        *,
        source: str,
        revised: str,
        intentions: Sequence[str],
        edits: Sequence[Edit],
        model: str,
        adapter: str | None = None,
        latency_ms: float,
        generated_tokens: int | None = None,
        session_id: str | None = None,
        user: str | None = None,
        final_text: str | None = None,
        parent_id: int | None = None,
        suggestions: Sequence[Suggestion] = (),
    ) -> int:
        """Record one revision request with its edits, in one transaction.

        Args:
            source: the text the writer asked to revise.
            revised: the model's revision of it.
            intentions: the intentions asked for.
            edits: the edits between ``source`` and ``revised``, stored at positions
                0, 1, ... in the order given.
            model: the base model's name.
            adapter: the adapter's name, None for the base model alone.
            latency_ms: how long the revision took.
            generated_tokens: how many tokens the model generated, when known.
            session_id: the browser session it came from.
            user: the writer's name, when signed in.
            final_text: the text the writer keeps; the revision itself when None.
            parent_id: the revision this one revises again, if any.
            suggestions: edits held back, with their reasons, stored after ``edits``
                (at positions ``len(edits)``, ...); none is in ``revised``.

        Returns:
            The new revision's id.

        Raises:
            RecordNotFound: ``parent_id`` names a revision that does not exist.
        """
        check_storable(source=source, revised=revised, final_text=final_text)
        for edit in [*edits, *(s.edit for s in suggestions)]:
            check_storable(edit_text=edit.before + edit.after)
        for suggestion in suggestions:
            check_storable(held_reason=suggestion.reason)
        with Session(self.engine) as session, session.begin():
            if parent_id is not None and session.get(RevisionRow, parent_id) is None:
                raise RecordNotFound(f"parent revision {parent_id} does not exist")
            row = RevisionRow(
                created_at=_now(),
                session_id=session_id,
                user_name=user,
                source_text=source,
                intentions=list(intentions),
                model_name=model,
                adapter_name=adapter,
                revised_text=revised,
                latency_ms=float(latency_ms),
                generated_tokens=generated_tokens,
                final_text=revised if final_text is None else final_text,
                parent_id=parent_id,
                edits=[
                    EditRow(
                        position=position,
                        type=edit.type,
                        before=edit.before,
                        after=edit.after,
                        start_char_pos=edit.start_char_pos,
                        end_char_pos=edit.end_char_pos,
                        intention=edit.intention,
                        confidence=edit.confidence,
                        held_reason=reason,
                        held_by=by,
                    )
                    for position, (edit, reason, by) in enumerate(
                        [
                            *((e, None, None) for e in edits),
                            *((s.edit, s.reason, s.by) for s in suggestions),
                        ]
                    )
                ],
            )
            session.add(row)
            session.flush()
            revision_id = row.id
        logger.debug(
            "recorded revision %d with %d edits and %d suggestions",
            revision_id,
            len(edits),
            len(suggestions),
        )
        return revision_id

    def get_revision(self, revision_id: int) -> StoredRevision:
        """Read one revision with its edits and the current decision on each edit.

        Args:
            revision_id: the id ``record_revision`` returned.

        Returns:
            The revision; ``decisions`` maps edit positions to their latest decision and
            leaves out edits not decided yet.

        Raises:
            RecordNotFound: no revision has that id.
        """
        with Session(self.engine) as session, session.begin():
            row = _revision_row(session, revision_id)
            rows = _edit_rows(session, revision_id)
            edits = tuple(_edit_record(edit) for edit in rows)
            return StoredRevision(
                id=row.id,
                created_at=_utc(row.created_at),
                source=row.source_text,
                revised=row.revised_text,
                intentions=tuple(row.intentions),
                model=row.model_name,
                adapter=row.adapter_name,
                latency_ms=row.latency_ms,
                generated_tokens=row.generated_tokens,
                session_id=row.session_id,
                user=row.user_name,
                edits=edits,
                decisions=_latest_decisions(session, [revision_id])[revision_id],
                final_text=row.final_text,
                rating=row.rating,
                parent_id=row.parent_id,
                held={e.position: e.held_reason for e in rows if e.held_reason is not None},
            )

    def record_decision(
        self,
        revision_id: int,
        position: int,
        decision: str,
        reason: str | None = None,
        note: str | None = None,
        final_text: str | None = None,
    ) -> Decision:
        """Record the writer's decision on one edit, and the text it leaves, together.

        Args:
            revision_id: the revision the edit belongs to.
            position: the edit's 0-based position within that revision.
            decision: ``accept`` or ``reject``.
            reason: why the edit was rejected (``storage.records.REASONS``); reject only.
            note: the writer's comment, up to 2000 characters.
            final_text: the text after this decision; saved in the same transaction.

        Returns:
            The decision as recorded; it is now the edit's current decision.

        Raises:
            InvalidDecision: the decision, reason or note is not allowed.
            RecordNotFound: the revision, or an edit at that position, does not exist.
        """
        check_decision(decision, reason, note)
        check_storable(note=note, final_text=final_text)
        with Session(self.engine) as session, session.begin():
            edit = _edit_at(session, revision_id, position)
            row = DecisionRow(
                edit_id=edit.id, decision=decision, reason=reason, note=note, created_at=_now()
            )
            session.add(row)
            if final_text is not None:
                edit.revision.final_text = final_text
            session.flush()
            recorded = _decision_record(row, position)
        return recorded

    def record_decisions(
        self,
        revision_id: int,
        positions: Sequence[int] | None,
        decision: str,
        final_text: str | None = None,
    ) -> list[Decision]:
        """Record one decision on several edits at once (accept all, reject all).

        All or nothing: if any position is unknown, no decision is written.

        Args:
            revision_id: the revision the edits belong to.
            positions: the edits' positions (repeats count once); None for every edit.
            decision: ``accept`` or ``reject``.
            final_text: the text after these decisions; saved in the same transaction.

        Returns:
            The decisions as recorded, one per distinct position, in the order given.

        Raises:
            InvalidDecision: the decision is not allowed.
            RecordNotFound: the revision, or an edit at one of the positions, does not exist.
        """
        check_decision(decision)
        check_storable(final_text=final_text)
        with Session(self.engine) as session, session.begin():
            revision = _revision_row(session, revision_id)
            by_position = {edit.position: edit for edit in _edit_rows(session, revision_id)}
            wanted = list(by_position) if positions is None else list(dict.fromkeys(positions))
            missing = [p for p in wanted if p not in by_position]
            if missing:
                raise RecordNotFound(
                    f"revision {revision_id} has no edit at position(s) "
                    f"{', '.join(map(str, missing))} (it has {len(by_position)} edits)"
                )
            moment = _now()
            rows = [
                DecisionRow(edit_id=by_position[p].id, decision=decision, created_at=moment)
                for p in wanted
            ]
            session.add_all(rows)
            if final_text is not None:
                revision.final_text = final_text
            session.flush()
            recorded = [_decision_record(row, p) for row, p in zip(rows, wanted, strict=True)]
        return recorded

    def save_final_text(self, revision_id: int, text: str) -> None:
        """Save the text the writer keeps from a revision (typed by hand or assembled).

        Raises:
            RecordNotFound: no revision has that id.
            InvalidText: the text holds a NUL character.
        """
        check_storable(final_text=text)
        with Session(self.engine) as session, session.begin():
            _revision_row(session, revision_id).final_text = text

    def record_rating(self, revision_id: int, rating: int) -> None:
        """Record the writer's rating of a revision, replacing any earlier rating.

        Args:
            revision_id: the revision rated.
            rating: a whole number from 1 (poor) to 5 (excellent).

        Raises:
            InvalidDecision: the rating is not an int from 1 to 5.
            RecordNotFound: no revision has that id.
        """
        check_rating(rating)
        with Session(self.engine) as session, session.begin():
            row = _revision_row(session, revision_id)
            row.rating = rating
            row.rated_at = _now()

    def list_revisions(
        self, *, session_id: str | None = None, user: str | None = None, limit: int = 50
    ) -> list[RevisionSummary]:
        """The most recent revisions, newest first, optionally of one session or writer.

        Args:
            session_id: only revisions from this browser session.
            user: only revisions by this writer.
            limit: at most this many.

        Returns:
            One summary per revision, with counts of edits and of current decisions.

        Raises:
            ValueError: ``limit`` is not a positive number.
        """
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        query = sa.select(RevisionRow).order_by(RevisionRow.id.desc()).limit(limit)
        if session_id is not None:
            query = query.where(RevisionRow.session_id == session_id)
        if user is not None:
            query = query.where(RevisionRow.user_name == user)
        with Session(self.engine) as session, session.begin():
            rows = list(session.scalars(query))
            ids = [row.id for row in rows]
            edit_counts = dict(
                session.execute(
                    sa.select(EditRow.revision_id, sa.func.count())
                    .where(EditRow.revision_id.in_(ids))
                    .group_by(EditRow.revision_id)
                ).all()
            )
            decisions = _latest_decisions(session, ids)
            return [
                RevisionSummary(
                    id=row.id,
                    created_at=_utc(row.created_at),
                    source_preview=_preview(row.source_text),
                    intentions=tuple(row.intentions),
                    edit_count=edit_counts.get(row.id, 0),
                    accepted_count=sum(d.decision == "accept" for d in decisions[row.id].values()),
                    rejected_count=sum(d.decision == "reject" for d in decisions[row.id].values()),
                    rating=row.rating,
                )
                for row in rows
            ]
