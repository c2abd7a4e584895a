"""Migration 0003 (one active adapter per intention set) on a database holding 0002 data:
the activation history already there keeps serving every intention set."""

import sqlalchemy as sa

from storage import migrate
from storage.registry import Registry
from storage.store import open_engine


def test_0003_keeps_the_active_adapter_for_every_intention_set(db_url):
    engine = open_engine(db_url)
    migrate.upgrade(engine, "0002")
    registry = Registry(engine)
    with engine.begin() as connection:  # what 0002's code wrote: no scope, no parent yet
        adapter_id = connection.execute(
            sa.text(
                "INSERT INTO adapters (name, path, base_model, method, s_gen, lineage, "
                "metrics, feedback_revision_ids, created_at) VALUES ('old', '/runs/old', "
                "'m', 'lora', '[]', '{}', '{}', '[]', CURRENT_TIMESTAMP) RETURNING id"
            )
        ).scalar_one()
        connection.execute(
            sa.text(
                "INSERT INTO activations (adapter_id, action, created_at, by_user) "
                "VALUES (:a, 'activate', CURRENT_TIMESTAMP, 'ada')"
            ),
            {"a": adapter_id},
        )

    migrate.upgrade(engine)

    assert registry.active_adapter().id == adapter_id
    assert registry.active_adapter(["fluency"]).id == adapter_id
    assert registry.activation_history()[0].intentions == ()
    assert registry.list_adapters()[0].active_for == ((),)
