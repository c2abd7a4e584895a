"""benchmarks/labelling.py: the likelihood gain picks the intention whose prompt raises the
edit most over copying, a bias per intention shifts that choice, and the fit keeps clarity
as the reference bias."""

import math

from benchmarks.labelling import fit, metrics, probabilities
from itune_core.intentions import INTENTIONS

UNIFORM = [1 / len(INTENTIONS)] * len(INTENTIONS)


def row(label: str, gains: dict[str, float], predictor=UNIFORM) -> dict:
    # log p(after | k) = gain, log p(before | k) = 0
    return {"label": label, "after": [gains.get(k, -5.0) for k in INTENTIONS],
            "copy": [0.0] * len(INTENTIONS), "predictor": list(predictor)}  # fmt: skip


def test_the_gain_picks_the_intention_that_raises_the_edit_most():
    rows = [row("fluency", {"fluency": 2.0, "clarity": 1.0}), row("clarity", {"clarity": 3.0})]
    probs = probabilities(rows, 1, 0, [0] * len(INTENTIONS))
    assert [max(p, key=p.get) for p in probs] == ["fluency", "clarity"]
    assert all(math.isclose(sum(p.values()), 1.0) for p in probs)
    assert metrics(rows, probs)["accuracy"] == 1.0
    # a bias of +2 for clarity turns the first row round
    shifted = probabilities(rows, 1, 0, [2.0] + [0] * (len(INTENTIONS) - 1))
    assert max(shifted[0], key=shifted[0].get) == "clarity"
    assert metrics(rows, shifted)["accuracy"] == 0.5


def test_the_predictor_alone_is_its_own_probabilities():
    predictor = [0.1, 0.6, 0.1, 0.1, 0.1]
    [probs] = probabilities([row("fluency", {}, predictor)], 0, 1, [0] * len(INTENTIONS))
    assert [round(probs[k], 6) for k in INTENTIONS] == predictor


def test_the_fit_learns_a_bias_that_a_constant_gain_needs():
    # every fluency edit looks like clarity to the gain by 1 nat: a bias must undo it
    rows = [row("fluency", {"clarity": 1.0, "fluency": 0.0}) for _ in range(6)]
    rows += [row("clarity", {"clarity": 3.0, "fluency": 0.0}) for _ in range(4)]
    assert metrics(rows, probabilities(rows, 1, 0, [0] * len(INTENTIONS)))["accuracy"] == 0.4
    fitted = fit(rows)["gain + bias"]
    assert fitted["bias"]["clarity"] == 0
    bias = [fitted["bias"][k] for k in INTENTIONS]
    assert metrics(rows, probabilities(rows, 1, 0, bias))["accuracy"] == 1.0


def test_the_test_table_names_its_sets_and_the_shipped_biases():
    from benchmarks.labelling import TEST_SETS, table

    m = {"accuracy": 0.5, "macro_f1": 0.25, "among_2": 0.75, "among_3": 0.625}
    report = {
        "command": "python benchmarks/labelling.py --test",
        "created": "now",
        "cpu": "cpu",
        "sets": {name: {"examples": 10} for name in TEST_SETS},
        "bias": dict.fromkeys(INTENTIONS, 0.0),
        "results": {"gain + bias (served)": dict.fromkeys(TEST_SETS, m)},
    }
    text = table(report)
    assert all(f"{name}: accuracy" in text for name in TEST_SETS)
    assert "| gain + bias (served) | 0.500 / 0.250 / 0.750 / 0.625 | 0.500 /" in text
    assert "shipped biases: clarity +0.00" in text
