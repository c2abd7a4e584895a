"""Migration 0003 (one active adapter per intention set) on a database holding 0002 data:
the activation history already there keeps serving every intention set."""

import sqlalchemy as sa

from storage import migrate
from storage.registry import NewAdapter, Registry
from storage.store import open_engine


def test_0003_keeps_the_active_adapter_for_every_intention_set(db_url):
    engine = open_engine(db_url)
    migrate.upgrade(engine, "0002")
    registry = Registry(engine)
    adapter = registry.register_adapter(
        NewAdapter(name="old", path="/runs/old", base_model="m", method="lora")
    )
    with engine.begin() as connection:  # what 0002's code wrote: no scope column yet
        connection.execute(
            sa.text(
                "INSERT INTO activations (adapter_id, action, created_at, by_user) "
                "VALUES (:a, 'activate', CURRENT_TIMESTAMP, 'ada')"
            ),
            {"a": adapter.id},
        )

    migrate.upgrade(engine)

    assert registry.active_adapter().id == adapter.id
    assert registry.active_adapter(["fluency"]).id == adapter.id
    assert registry.activation_history()[0].intentions == ()
    assert registry.list_adapters()[0].active_for == ((),)
