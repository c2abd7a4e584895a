"""The Admin tab's charts: Vega-Lite specs with one bar, cell or point per datum, the
selected blocks marked, the stages told apart, and a message instead of an error on
empty input."""

import json

import gradio as gr

from ui import plots

ALL_ONES = {str(b): 1.0 for b in range(4)}
# Stage I: 3 steps, Stage II: 2 steps, 4 blocks; given out of order on purpose.
STEPS = [
    {
        "stage": 2,
        "step": 1,
        "loss": 1.5,
        "selected": [2, 3],
        "norms": {"0": 0.1, "1": 0.2, "2": 0.3, "3": 0.4},
    },
    {"stage": 1, "step": 3, "loss": 0.0, "selected": [2], "norms": ALL_ONES},
    {"stage": 1, "step": 1, "loss": 2.0, "selected": [0], "norms": ALL_ONES},
    {"stage": 1, "step": 2, "loss": 1.0, "selected": [1], "norms": ALL_ONES},
    {"stage": 2, "step": 2, "loss": None, "selected": [2, 3], "norms": {"0": 0.1, "1": None}},
]


def _layer(spec: dict, dataset: str) -> dict:
    return next(layer for layer in spec["layer"] if layer["data"]["name"] == dataset)


def _message(spec: dict) -> str:
    return spec["datasets"]["message"][0]["text"]


def test_loss_figure_has_one_point_per_finite_loss_numbered_over_both_stages():
    spec = plots.loss_figure(STEPS)
    points = spec["datasets"]["points"]
    assert [(p["x"], p["stage"], p["step"], p["loss"]) for p in points] == [
        (1, plots.STAGES[1], 1, 2.0),
        (2, plots.STAGES[1], 2, 1.0),
        (3, plots.STAGES[1], 3, 0.0),
        (4, plots.STAGES[2], 1, 1.5),
    ]  # Stage II's step 2 diverged (loss None): left out, its x (5) unused
    assert _layer(spec, "points")["encoding"]["stroke"]["field"] == "stage"


def test_loss_figure_without_steps_says_no_steps_yet():
    spec = plots.loss_figure([])
    assert _message(spec) == "no steps yet"
    assert spec["title"]["text"] == "Training loss"


def test_norms_heatmap_has_one_cell_per_finite_norm():
    cells = plots.norms_heatmap(STEPS)["datasets"]["cells"]
    # 3 Stage-I steps x 4 blocks, 4 blocks in Stage II's step 1, one finite norm in step 2.
    assert len(cells) == 3 * 4 + 4 + 1
    assert {(c["step"], c["block"]) for c in cells} >= {(1, 0), (3, 3), (4, 3), (5, 0)}
    assert {c["norm"] for c in cells if c["step"] == 4} == {0.1, 0.2, 0.3, 0.4}


def test_norms_heatmap_marks_every_selected_block_with_its_stage():
    spec = plots.norms_heatmap(STEPS)
    marked = {(p["step"], p["block"], p["stage"]) for p in spec["datasets"]["selected"]}
    assert marked == {
        (1, 0, plots.STAGES[1]),
        (2, 1, plots.STAGES[1]),
        (3, 2, plots.STAGES[1]),
        (4, 2, plots.STAGES[2]),
        (4, 3, plots.STAGES[2]),
        (5, 2, plots.STAGES[2]),
        (5, 3, plots.STAGES[2]),
    }
    assert [c["selected"] for c in spec["datasets"]["cells"] if c["step"] == 4] == [
        False,
        False,
        True,
        True,
    ]
    dots = _layer(spec, "selected")
    assert dots["mark"]["type"] == "point" and dots["encoding"]["shape"]["field"] == "stage"


def test_norms_heatmap_draws_a_rule_between_stage_one_and_two():
    spec = plots.norms_heatmap(STEPS)
    assert spec["datasets"]["boundaries"] == [{"x": 3.5}]
    one_stage = plots.norms_heatmap([s for s in STEPS if s["stage"] == 2])
    assert one_stage["datasets"]["boundaries"] == []
    assert "boundaries" not in [layer["data"]["name"] for layer in one_stage["layer"]]


def test_norms_heatmap_of_a_long_run_thins_the_steps_and_keeps_the_last():
    long = [
        {"stage": 2, "step": k, "loss": 1.0, "selected": [1], "norms": {"0": 1.0, "1": 2.0}}
        for k in range(1, 401)
    ]
    spec = plots.norms_heatmap(long)
    shown = sorted({c["step"] for c in spec["datasets"]["cells"]})
    assert len(shown) <= plots.MAX_COLUMNS and shown[:2] == [1, 4] and shown[-1] == 400
    assert sorted({p["step"] for p in spec["datasets"]["selected"]}) == shown
    assert "every 3 steps" in spec["title"]["subtitle"]


def test_norms_heatmap_uses_a_log_scale_only_when_every_norm_is_positive():
    fill = _layer(plots.norms_heatmap(STEPS), "cells")["encoding"]["fill"]
    assert fill["scale"]["type"] == "log"
    zero = [{"stage": 2, "step": 1, "loss": 1.0, "selected": [0], "norms": {"0": 0.0, "1": 1.0}}]
    fill = _layer(plots.norms_heatmap(zero), "cells")["encoding"]["fill"]
    assert fill["scale"]["type"] == "linear"


def test_norms_heatmap_without_steps_says_no_steps_yet():
    assert _message(plots.norms_heatmap([])) == "no steps yet"


def test_g_bars_has_one_bar_per_block_with_s_gen_highlighted():
    spec = plots.g_bars({"G": [3, 0, 5, 1], "s_gen": [2, 3], "alignment_ratio": 0.5})
    bars = spec["datasets"]["bars"]
    assert [(b["block"], b["G"], b["role"]) for b in bars] == [
        (0, 3, "other"),
        (1, 0, "other"),
        (2, 5, "S_gen"),
        (3, 1, "S_gen"),
    ]
    fill = _layer(spec, "bars")["encoding"]["fill"]["scale"]
    assert dict(zip(fill["domain"], fill["range"], strict=True))["S_gen"] == plots.SGEN_COLOUR
    assert "alignment ratio 0.50" in spec["title"]["subtitle"]


def test_g_bars_without_a_selection_says_none_yet():
    assert _message(plots.g_bars(None)).startswith("no selection yet")
    assert _message(plots.g_bars({"G": None, "s_gen": [1]})).startswith("no selection yet")


def test_acceptance_bars_stack_accepted_and_rejected_per_group():
    groups = [
        {"key": "fluency", "accepted": 4, "rejected": 1, "rate": 0.8},
        {"key": None, "accepted": 0, "rejected": 2, "rate": 0.0},
    ]
    bars = plots.acceptance_bars(groups, "per intention")["datasets"]["bars"]
    assert [(b["key"], b["decision"], b["edits"]) for b in bars] == [
        ("fluency", "accepted", 4),
        ("fluency", "rejected", 1),
        ("(none)", "rejected", 2),
    ]
    assert _message(plots.acceptance_bars([], "per intention")) == "no decisions yet"


def test_every_chart_is_a_value_gr_plot_sends_as_strict_json():
    specs = [
        plots.loss_figure(STEPS),
        plots.norms_heatmap(STEPS),
        plots.g_bars({"G": [1, 2], "s_gen": [1]}),
        plots.loss_figure([]),
    ]
    for spec in specs:
        sent = gr.Plot().postprocess(plots.to_plot(spec))
        assert sent.type == "altair"
        assert json.loads(sent.plot) == spec  # allow_nan=False: a NaN would have raised
        # Gradio's theming walks the layers: every spec must be layered, with encodings.
        assert all("encoding" in layer for layer in spec["layer"])
