"""Helpers shared by the tests that serve the app: a free port, and the app with an admin,
a writer and a training worker (the browser journeys and the HTTP admin loop)."""

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app import Settings, build_app, launch
from storage.store import Store
from storage.users import UserStore
from training.supervisor import WorkerSupervisor

ADMIN = ("ada", "ada-password")
WRITER = ("wes", "wes-password")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served_with_users(itune_home: Path, tmp_path_factory, label: str) -> Iterator[tuple[str, Path]]:
    """The app in this process with users ``ADMIN`` (an admin) and ``WRITER`` (so Gradio
    shows its login page), on a fresh SQLite file, and a training worker beside it.

    Yields:
        (the app's URL, its SQLite file).
    """
    db = tmp_path_factory.mktemp(f"db-{label}") / "app.db"
    settings = Settings(home=itune_home, db_url=f"sqlite:///{db}", dtype="float32")
    store = Store.open(settings.database_url)
    users = UserStore(store.engine)
    users.create_user(*ADMIN, is_admin=True)
    users.create_user(*WRITER)
    blocks, _, slot = build_app(settings, store)
    port = free_port()
    launch(blocks, settings, users, server_port=port, prevent_thread_lock=True, quiet=True)
    slot.get(timeout=180)
    worker = WorkerSupervisor(
        settings.database_url, tmp_path_factory.mktemp(f"runs-{label}"), itune_home
    ).start()
    try:
        yield f"http://127.0.0.1:{port}/", db
    finally:
        worker.stop()
        blocks.close()
        store.close()
