"""The load benchmark's rounds: the modes alternate their order, and a mode's rounds pool
into one phase whose throughput is every revision over every round's time; requests may
ask for several intentions."""

import pytest

from benchmarks.load import MODES, asked_intentions, load_table, mode_order, pool_rounds


def test_rounds_run_the_modes_in_order_then_reversed():
    modes = list(MODES)
    assert mode_order(1) == [(0, m) for m in modes]
    assert mode_order(3) == (
        [(0, m) for m in modes] + [(1, m) for m in modes[::-1]] + [(2, m) for m in modes]
    )


def request(k: int, seconds: float, end: float, ok: bool = True) -> dict:
    record = {"client": k, "sentence": 0, "intention": "fluency", "ok": ok}
    record |= {"start": end - seconds, "end": end, "seconds": seconds}
    return record | ({"revision_id": k} if ok else {"error": "app error", "message": "x"})


def phase(requests: list[dict], wall: float, logged: dict) -> dict:
    ok = sum(r["ok"] for r in requests)
    summary = {"wall_s": wall, "succeeded": ok, "succeeded_in_window": ok}
    return {"summary": summary | {"throughput_per_s": ok / wall}, "logged": logged,
            "requests": requests}  # fmt: skip


def check(acknowledged: int, orphans=(), passed=True) -> dict:
    counts = {"acknowledged": acknowledged, "logged": acknowledged + len(orphans)}
    found = {"missing": [], "different": [], "orphans": list(orphans)}
    return counts | found | {"unanswered": 0, "passed": passed}


def test_a_mode_s_rounds_pool_into_one_phase():
    fast = phase([request(0, 1.0, 1.0), request(1, 1.0, 2.0), request(0, 1.0, 2.0)], 2.0, check(3))
    slow = phase([request(0, 4.0, 4.0), request(1, 3.0, 4.0, ok=False)], 4.0, check(1, [9], False))
    pooled = pool_rounds([fast, slow])
    summary = pooled["summary"]
    assert summary["throughput_per_s"] == pytest.approx(4 / 6)  # 4 revisions in 6 s
    assert summary["round_throughputs"] == [1.5, 0.25]
    assert summary["succeeded"] == 4 and summary["requests"] == 5
    assert summary["median_s"] == 1.0 and summary["errors"] == {"app error": 1}
    assert len(pooled["requests"]) == 5
    assert pooled["logged"]["acknowledged"] == 4 and pooled["logged"]["orphans"] == [9]
    assert pooled["logged"]["passed"] is False
    assert pool_rounds([fast]) is fast


def test_the_table_gives_each_round_s_ratio():
    def mode(wall_a, wall_b):
        a = phase([request(0, 1.0, 1.0)], wall_a, check(1))
        b = phase([request(0, 1.0, 1.0)], wall_b, check(1))
        return {"20": pool_rounds([a, b])}

    record = {
        "settings": {"seconds": 45, "max_batch": 16, "client_counts": [20], "rounds": 2},
        "load": {m: mode(4.0, 2.0) for m in MODES} | {"batched": mode(1.0, 1.0)},
        "app": {"tracebacks": 0},
    }
    lines = load_table(record)
    assert "each row pools its rounds" in lines[0]
    figures, ratios = [line for line in lines if line.startswith("| 20 | batched | ")]
    assert figures.startswith("| 20 | batched | 1.000 | 1.0 |")  # 2 revisions in 2 s
    # pooled 2 revisions in 2 s against 2 in 6 s; round by round 1/0.25 and 1/0.5
    assert ratios == "| 20 | batched | 3.00× | 1.00× | 4.00×, 2.00× |"


def test_a_request_asks_for_the_gold_intention_and_those_after_it():
    assert asked_intentions("fluency", 1) == ("fluency",)
    assert asked_intentions("fluency", 2) == ("fluency", "coherence")
    assert asked_intentions("meaning-changed", 2) == ("clarity", "meaning-changed")  # wraps
    assert len(asked_intentions("style", 5)) == 5
