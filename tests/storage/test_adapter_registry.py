"""The adapter registry: registration, activate / roll back / delete rules, a run's adapter
registered with its success, and acceptance rates from the writers' real decisions."""

import pytest

from storage.errors import InvalidState, RecordNotFound
from storage.registry import NewAdapter, Registry
from storage.runs import RunStore


@pytest.fixture
def registry(store):
    return Registry(store.engine)


def _new(name: str, **extra) -> NewAdapter:
    return NewAdapter(
        name=name,
        path=f"/runs/{name}",
        base_model="SmolLM2-135M-Instruct",
        method="intention-tuning",
        s_gen=(1, 2),
        lineage={"hyperparameters": {"lr": 0.0002}},
        metrics={"total_seconds": 1.0},
        data_hash="ab" * 32,
        **extra,
    )


def test_registered_adapter_keeps_its_lineage_and_is_not_active(registry):
    adapter = registry.register_adapter(_new("it-1", feedback_revision_ids=(3, 5)))
    stored = registry.get_adapter(adapter.id)
    assert (stored.name, stored.s_gen, stored.feedback_revision_ids) == ("it-1", (1, 2), (3, 5))
    assert stored.hyperparameters == {"lr": 0.0002}
    assert not stored.active and registry.active_adapter() is None


def test_duplicate_name_is_refused(registry):
    registry.register_adapter(_new("it-1"))
    with pytest.raises(InvalidState, match="already exists"):
        registry.register_adapter(_new("it-1"))


def test_activate_makes_it_the_active_adapter(registry):
    a = registry.register_adapter(_new("a"))
    registry.activate(a.id, by_user="ada")
    assert registry.active_adapter().id == a.id
    assert [x.active for x in registry.list_adapters()] == [True]


def test_rollback_returns_to_the_previous_adapter_and_then_to_the_base_model(registry):
    a, b = registry.register_adapter(_new("a")), registry.register_adapter(_new("b"))
    registry.activate(a.id)
    registry.activate(b.id)
    assert registry.rollback().id == a.id
    assert registry.active_adapter().id == a.id
    assert registry.rollback() is None
    assert registry.active_adapter() is None


def test_rollback_with_nothing_activated_is_refused(registry):
    with pytest.raises(InvalidState, match="nothing to roll back"):
        registry.rollback()


def test_rollback_skips_deleted_adapters(registry):
    a, b, c = (registry.register_adapter(_new(n)) for n in "abc")
    for adapter in (a, b, c):
        registry.activate(adapter.id)
    registry.delete_adapter(b.id)
    assert registry.rollback().id == a.id


def test_second_rollback_keeps_going_back(registry):
    a, b, c = (registry.register_adapter(_new(n)) for n in "abc")
    for adapter in (a, b, c):
        registry.activate(adapter.id)
    registry.rollback()
    assert registry.rollback().id == a.id


def test_deleting_the_active_adapter_is_refused(registry):
    a = registry.register_adapter(_new("a"))
    registry.activate(a.id)
    with pytest.raises(InvalidState, match="is active"):
        registry.delete_adapter(a.id)
    assert registry.get_adapter(a.id).deleted_at is None


def test_deleted_adapter_leaves_the_list_and_cannot_be_activated(registry):
    a = registry.register_adapter(_new("a"))
    registry.delete_adapter(a.id)
    assert registry.list_adapters() == []
    assert [x.name for x in registry.list_adapters(include_deleted=True)] == ["a"]
    with pytest.raises(InvalidState, match="deleted"):
        registry.activate(a.id)


def test_unknown_adapter_is_reported(registry):
    with pytest.raises(RecordNotFound):
        registry.activate(42)


def test_succeeded_run_registers_its_adapter_without_activating_it(store, registry):
    runs = RunStore(store.engine)
    active = registry.register_adapter(_new("live"))
    registry.activate(active.id)
    run_id = runs.enqueue_run({"method": "lora", "data": "x.jsonl"})
    runs.claim_next_run(1)
    adapter = runs.complete_run(run_id, "/runs/run-1", _new("fresh"))
    assert adapter.run_id == run_id
    assert runs.get_run(run_id).status == "succeeded"
    assert registry.active_adapter().id == active.id


@pytest.mark.parametrize("status", ["failed", "cancelled"])
def test_failed_or_cancelled_run_never_changes_the_active_adapter(store, registry, status):
    runs = RunStore(store.engine)
    active = registry.register_adapter(_new("live"))
    registry.activate(active.id)
    run_id = runs.enqueue_run({"method": "lora", "data": "x.jsonl"})
    runs.claim_next_run(1)
    runs.finish_run(run_id, status)
    assert registry.active_adapter().id == active.id
    assert [a.name for a in registry.list_adapters()] == ["live"]


def test_acceptance_rate_counts_current_decisions_on_the_adapters_revisions(
    store, registry, record_sample
):
    registry.register_adapter(_new("fluency-lora"))  # the sample revision's adapter
    first, second = record_sample(), record_sample()
    record_sample(adapter="other")
    store.record_decision(first, 0, "accept")
    store.record_decision(first, 1, "reject")
    store.record_decision(first, 1, "accept")  # changed its mind: counts as accepted
    store.record_decision(second, 2, "reject")
    acceptance = registry.get_adapter_by_name("fluency-lora").acceptance
    assert (acceptance.accepted, acceptance.rejected) == (2, 1)
    assert acceptance.rate == pytest.approx(2 / 3)


def test_adapter_without_decisions_has_no_rate(registry):
    registry.register_adapter(_new("fresh"))
    assert registry.get_adapter_by_name("fresh").acceptance.rate is None


def test_the_active_adapter_is_the_replayed_history_after_any_sequence(registry):
    # The active adapter is read from the latest activation row; replaying the whole
    # history (what rollback uses) must agree after every step of a mixed sequence.
    from sqlalchemy.orm import Session

    from storage.registry import _stack

    ids = [registry.register_adapter(_new(f"a{k}")).id for k in range(4)]
    steps = [ids[0], ids[1], "rollback", ids[2], None, ids[3], "rollback", "rollback"]
    steps += [("delete", ids[1]), ids[1 - 1], ids[2], "rollback", "rollback", "rollback"]
    for step in steps:
        if step == "rollback":
            registry.rollback()
        elif isinstance(step, tuple):
            registry.delete_adapter(step[1])
        else:
            registry.activate(step)
        with Session(registry.engine) as session:
            stack = _stack(session)
        active = registry.active_adapter()
        assert (active.id if active else None) == (stack[-1] if stack else None), step


# --- one active adapter per intention set ---------------------------------------------------


def test_an_intention_set_can_have_its_own_adapter_and_others_keep_the_default(registry):
    general = registry.register_adapter(_new("general"))
    fluent = registry.register_adapter(_new("fluent"))
    registry.activate(general.id)
    registry.activate(fluent.id, by_user="ada", intentions=["fluency"])
    assert registry.active_adapter().id == general.id
    assert registry.active_adapter(["fluency"]).id == fluent.id
    assert registry.active_adapter("fluency").id == fluent.id
    # Only exactly that set: a set with more intentions falls back to the default.
    assert registry.active_adapter(["fluency", "clarity"]).id == general.id
    assert registry.active_adapter(["clarity"]).id == general.id
    by_name = {a.name: a for a in registry.list_adapters()}
    assert by_name["general"].active_for == ((),)
    assert by_name["fluent"].active_for == (("fluency",),)
    assert registry.active_adapter(iter(["fluency"])).id == fluent.id  # any iterable
    latest = registry.activation_history(limit=1)[0]
    assert (latest.adapter_name, latest.intentions, latest.by_user) == (
        "fluent",
        ("fluency",),
        "ada",
    )


def test_a_set_may_choose_the_base_model_while_the_default_has_an_adapter(registry):
    general = registry.register_adapter(_new("general"))
    registry.activate(general.id)
    registry.activate(None, intentions=["style", "clarity"])
    assert registry.active_adapter(["clarity", "style"]) is None  # order does not matter
    assert registry.active_adapter(["style"]).id == general.id


def test_rollback_stays_within_its_intention_set(registry):
    a, b, c = (registry.register_adapter(_new(n)) for n in ("a", "b", "c"))
    registry.activate(a.id)
    registry.activate(b.id, intentions=["coherence"])
    registry.activate(c.id, intentions=["coherence"])
    assert registry.rollback(intentions=["coherence"]).id == b.id
    assert registry.active_adapter().id == a.id  # the default scope is untouched
    assert registry.rollback(intentions=["coherence"]) is None  # its base model, not a
    with pytest.raises(InvalidState, match="for fluency"):
        registry.rollback(intentions=["fluency"])
    assert registry.rollback() is None


def test_an_adapter_active_for_one_set_cannot_be_deleted(registry):
    a = registry.register_adapter(_new("a"))
    registry.activate(a.id, intentions=["meaning-changed"])
    with pytest.raises(InvalidState, match="active for meaning-changed"):
        registry.delete_adapter(a.id)
    assert registry.get_adapter(a.id).deleted_at is None


def test_an_unknown_intention_is_refused_and_nothing_is_written(registry):
    from itune_core.errors import UnknownIntention

    a = registry.register_adapter(_new("a"))
    with pytest.raises(UnknownIntention, match="tone"):
        registry.activate(a.id, intentions=["tone"])
    with pytest.raises(UnknownIntention):
        registry.active_adapter(["tone"])
    assert registry.activation_history() == []


def test_an_adapter_records_its_parent_and_shows_its_name(registry):
    parent = registry.register_adapter(
        NewAdapter(name="round-0", path="/runs/r0", base_model="m", method="lora")
    )
    child = registry.register_adapter(
        NewAdapter(
            name="round-1", path="/runs/r1", base_model="m", method="lora", parent_id=parent.id
        )
    )
    assert (child.parent_id, child.parent_name) == (parent.id, "round-0")
    listed = {a.name: (a.parent_id, a.parent_name) for a in registry.list_adapters()}
    assert listed == {"round-1": (parent.id, "round-0"), "round-0": (None, None)}
    with pytest.raises(RecordNotFound):
        registry.register_adapter(
            NewAdapter(name="orphan", path="/runs/o", base_model="m", method="lora", parent_id=99)
        )


def test_find_adapter_takes_an_id_or_a_name(registry):
    adapter = registry.register_adapter(
        NewAdapter(name="7up", path="/runs/x", base_model="m", method="lora")
    )
    assert registry.find_adapter(adapter.id).name == "7up"
    assert registry.find_adapter(str(adapter.id)).name == "7up"
    assert registry.find_adapter("7up").id == adapter.id
    assert registry.find_adapter("nope") is None and registry.find_adapter(True) is None
