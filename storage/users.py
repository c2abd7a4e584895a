"""Accounts: password hashing, the ``UserStore``, and the command that creates users.

    python -m storage.users add ada --admin          # asks for the password twice
    echo "$PW" | python -m storage.users add bob --password-stdin
    python -m storage.users list
    # --db URL, else $ITUNE_DB_URL, else the app's default sqlite:///$ITUNE_HOME/itune.db

Passwords are hashed with the standard library's scrypt (memory-hard; no extra package)
and a random 16-byte salt per user; the stored string carries its parameters
(``scrypt$n$r$p$salt$hash``, base64) so they can be raised later without breaking old
hashes. Comparison is constant-time.
"""

import argparse
import base64
import functools
import getpass
import hashlib
import hmac
import logging
import secrets
import sys
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from itune_core.errors import ItuneError
from storage.environment import database_url
from storage.errors import InvalidState
from storage.models import UserRow
from storage.store import Store, _now, _utc

logger = logging.getLogger(__name__)

MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 1024
MAX_NAME_CHARS = 255
# scrypt cost: n=2**14, r=8 needs 16 MiB and ~50 ms per hash (OWASP's minimum, 2024).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SALT_BYTES, KEY_BYTES = 16, 32
_SCHEME = "scrypt"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    # maxmem above OpenSSL's 32 MiB default leaves room for raising n later.
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=256 * 2**20
    )


def check_password(password: str) -> None:
    """Check a new password is acceptable.

    Raises:
        ValueError: not a string, empty, shorter than 8 or longer than 1024 characters.
    """
    if not isinstance(password, str) or not password:
        raise ValueError("the password is empty")
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(
            f"the password is too short: {len(password)} characters, "
            f"at least {MIN_PASSWORD_CHARS} needed"
        )
    if len(password) > MAX_PASSWORD_CHARS:
        raise ValueError(f"the password is longer than {MAX_PASSWORD_CHARS} characters")


def check_name(name: str) -> str:
    """A user name with surrounding spaces removed.

    Raises:
        ValueError: empty, over 255 characters, or holding whitespace or control characters.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError("the user name is empty")
    name = name.strip()
    if len(name) > MAX_NAME_CHARS:
        raise ValueError(f"the user name is longer than {MAX_NAME_CHARS} characters")
    if any(ch.isspace() or not ch.isprintable() for ch in name):
        raise ValueError(f"the user name may not hold spaces or control characters: {name!r}")
    return name


def hash_password(password: str) -> str:
    """Hash a password with scrypt and a fresh random salt.

    Args:
        password: the password in clear (not checked here; see ``check_password``).

    Returns:
        ``scrypt$n$r$p$salt$hash`` with salt and hash in base64.
    """
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_BYTES)
    return f"{_SCHEME}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash from ``hash_password`` (constant-time compare).

    Returns:
        False for a wrong password and for a malformed stored hash.
    """
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != _SCHEME:
            return False
        expected = base64.b64decode(key, validate=True)
        actual = _scrypt(
            password, base64.b64decode(salt, validate=True), int(n), int(r), int(p), len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


@functools.cache
def _dummy_hash() -> str:
    # A hash of nothing anyone can type, checked against for unknown names so that a login
    # takes as long for a name that does not exist as for a wrong password.
    return hash_password(secrets.token_hex(16))


@dataclass(frozen=True)
class User:
    """An account as the app sees it (never the password hash)."""

    id: int
    name: str
    is_admin: bool
    created_at: datetime


def _user_record(row: UserRow) -> User:
    return User(id=row.id, name=row.name, is_admin=row.is_admin, created_at=_utc(row.created_at))


class UserStore:
    """Accounts on one database; each method is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_user(self, name: str, password: str, *, is_admin: bool = False) -> User:
        """Create an account.

        Args:
            name: the login name (unique; surrounding spaces removed).
            password: at least 8 characters; only its scrypt hash is stored.
            is_admin: whether the user may see and call the admin actions.

        Returns:
            The new user.

        Raises:
            ValueError: a bad name or password.
            InvalidState: the name is taken.
        """
        name = check_name(name)
        check_password(password)
        row = UserRow(
            name=name,
            password_hash=hash_password(password),
            is_admin=bool(is_admin),
            created_at=_now(),
        )
        try:
            with Session(self.engine) as session, session.begin():
                session.add(row)
                session.flush()
                user = _user_record(row)
        except IntegrityError:
            raise InvalidState(f"a user named {name!r} already exists") from None
        logger.info("created %s %s", "admin" if user.is_admin else "user", name)
        return user

    def authenticate(self, name: str, password: str) -> User | None:
        """The user whose name and password these are, or None (same time either way)."""
        if not isinstance(name, str) or not isinstance(password, str):
            return None
        with Session(self.engine) as session, session.begin():
            row = session.scalars(sa.select(UserRow).where(UserRow.name == name.strip())).first()
            user = None if row is None else _user_record(row)
            stored = _dummy_hash() if row is None else row.password_hash
        ok = verify_password(password, stored)
        return user if ok and user is not None else None

    def get_user(self, name: str) -> User | None:
        """The user with this name, or None."""
        with Session(self.engine) as session, session.begin():
            row = session.scalars(sa.select(UserRow).where(UserRow.name == name)).first()
            return None if row is None else _user_record(row)

    def is_admin(self, name: str | None) -> bool:
        """Whether ``name`` is an existing admin (False for None and unknown names)."""
        if not name:
            return False
        user = self.get_user(name)
        return user is not None and user.is_admin

    def list_users(self) -> list[User]:
        """Every user, by name."""
        with Session(self.engine) as session, session.begin():
            return [
                _user_record(r) for r in session.scalars(sa.select(UserRow).order_by(UserRow.name))
            ]

    def has_users(self) -> bool:
        """Whether any account exists (with none, a loopback app runs as one local user)."""
        with Session(self.engine) as session, session.begin():
            return session.scalar(sa.select(sa.func.count()).select_from(UserRow)) > 0

    def ensure_admin(self, name: str, password: str) -> User:
        """Make sure an admin ``name`` exists with this password (for deployments that
        give the admin password in the environment): created if missing, else made an
        admin and given this password if it has another one. One transaction.

        Raises:
            ValueError: a bad name or password.
        """
        name = check_name(name)
        check_password(password)
        with Session(self.engine) as session, session.begin():
            row = session.scalars(sa.select(UserRow).where(UserRow.name == name)).first()
            if row is None:
                row = UserRow(
                    name=name,
                    password_hash=hash_password(password),
                    is_admin=True,
                    created_at=_now(),
                )
                session.add(row)
            else:
                row.is_admin = True
                if not verify_password(password, row.password_hash):
                    row.password_hash = hash_password(password)
            session.flush()
            return _user_record(row)

    def set_password(self, name: str, password: str) -> None:
        """Replace a user's password.

        Raises:
            ValueError: a bad password.
            InvalidState: no such user.
        """
        check_password(password)
        hashed = hash_password(password)
        with Session(self.engine) as session, session.begin():
            row = session.scalars(sa.select(UserRow).where(UserRow.name == name)).first()
            if row is None:
                raise InvalidState(f"no user named {name!r}")
            row.password_hash = hashed


# --- command line ---------------------------------------------------------------------------


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # One line; only the line break is removed (spaces may belong to the password).
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    check_password(first)
    if getpass.getpass("Repeat password: ") != first:
        raise ValueError("the two passwords differ")
    return first


def build_parser(prog: str = "python -m storage.users") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
    parser.add_argument("--db", help="SQLAlchemy URL (default $ITUNE_DB_URL or the app's file)")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="create a user")
    add.add_argument("name")
    add.add_argument("--admin", action="store_true", help="may use the Admin tab")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    password = commands.add_parser("passwd", help="set a user's password")
    password.add_argument("name")
    password.add_argument("--password-stdin", action="store_true")
    commands.add_parser("list", help="list the users")
    return parser


def main(argv: list[str] | None = None, prog: str = "python -m storage.users") -> int:
    args = build_parser(prog).parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command in ("add", "passwd"):
            name = check_name(args.name)
            password = _read_password(args.password_stdin)
            check_password(password)
        store = Store.open(database_url(args.db))  # migrates to the latest schema
        users = UserStore(store.engine)
        try:
            if args.command == "add":
                user = users.create_user(name, password, is_admin=args.admin)
                print(f"created {'admin' if user.is_admin else 'user'} {user.name}")
            elif args.command == "passwd":
                users.set_password(name, password)
                print(f"password of {name} changed")
            else:
                for user in users.list_users():
                    print(f"{user.name}\t{'admin' if user.is_admin else 'user'}")
        finally:
            store.close()
    except (ValueError, ItuneError, SQLAlchemyError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        print("error: interrupted; nothing was changed", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
