"""The Admin tab's charts as Vega-Lite specs (plain dicts), shown by ``gr.Plot``.

matplotlib is not a dependency, and Gradio's native plots cannot draw a heatmap with
marked cells, so each chart is a Vega-Lite spec that the browser renders with the
vega-embed bundled in Gradio. Every function is pure (JSON-ready dicts in, a spec out)
and answers empty input with a chart that says so. The data of each layer lies in
``spec["datasets"]`` under a name (``points``, ``cells``, ``selected``, ``bars``), so a
test can count what is drawn.

    gr.Plot(to_plot(norms_heatmap(detail["steps"])))
"""

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from gradio.components.plot import AltairPlotData

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
HEIGHT = 260
STAGES = {1: "Stage I (intentions)", 2: "Stage II (generation)"}
STAGE_COLOURS = ["#2563eb", "#ea580c", "#16a34a"]
NO_STEPS = "no steps yet"
MUTED = "#8a8f98"  # reads on Gradio's light and dark themes alike
SGEN_COLOUR, OTHER_COLOUR = "#ea580c", "#94a3b8"
BOUNDARY = "#ef4444"  # the rule between Stage I and Stage II on the heatmap
# Whole steps only: "d" alone rounds the in-between ticks of a short run into repeats.
STEP_AXIS = {"format": "d", "tickMinStep": 1, "labelExpr": "datum.value % 1 ? '' : datum.label"}
MAX_COLUMNS = 150  # the most steps the heatmap shows; longer runs are thinned
ACCEPTED_COLOUR, REJECTED_COLOUR = "#16a34a", "#dc2626"


def _chart(title: str, layers: list[dict], datasets: dict, subtitle: str | None = None) -> dict:
    # Every spec is layered and colours by ``fill``/``stroke``, never ``color``: Gradio
    # styles a "line" chart by giving it the theme's fonts and text colours and its
    # accent as the default stroke, and by repainting each layer's ``color`` scale; it
    # also sizes the chart to its container (so no width here).
    heading: dict[str, Any] = {"text": title}
    if subtitle:
        heading["subtitle"] = subtitle
    return {
        "$schema": SCHEMA,
        "title": heading,
        "height": HEIGHT,
        "background": "transparent",
        "datasets": datasets,
        "layer": layers,
    }


def empty_chart(title: str, message: str = NO_STEPS) -> dict:
    """A chart holding only ``message`` (no data to draw yet)."""
    layer = {
        "data": {"name": "message"},
        "mark": {"type": "text", "fontSize": 15, "fill": MUTED, "strokeWidth": 0},
        "encoding": {"text": {"field": "text", "type": "nominal"}},
    }
    return _chart(title, [layer], {"message": [{"text": message}]})


def to_plot(spec: Mapping[str, Any]) -> AltairPlotData:
    """A spec as ``gr.Plot``'s value: Gradio renders type "altair" with vega-embed, and
    ``chart`` makes it apply its theme and fit the chart to the page's width."""
    return AltairPlotData(type="altair", chart="line", plot=json.dumps(spec, allow_nan=False))


def _stage(stage: Any) -> str:
    return STAGES.get(stage, f"Stage {stage}")


def _ordered(steps: Sequence[Mapping[str, Any]]) -> list[tuple[int, Mapping[str, Any]]]:
    """Steps numbered over all stages (Stage I's first), as the loss and heatmap x."""
    ordered = sorted(steps, key=lambda s: (int(s.get("stage") or 0), int(s.get("step") or 0)))
    return list(enumerate(ordered, start=1))


def loss_figure(steps: Sequence[Mapping[str, Any]]) -> dict:
    """The training loss per step, one line per stage.

    Args:
        steps: ``run_detail``'s steps (``stage``, ``step``, ``loss``; loss None when it
            diverged, left out).
    """
    title = "Training loss"
    if not steps:
        return empty_chart(title)
    points = [
        {"x": x, "stage": _stage(s.get("stage")), "step": s.get("step"), "loss": s["loss"]}
        for x, s in _ordered(steps)
        if s.get("loss") is not None
    ]
    if not points:
        return empty_chart(title, "no finite loss yet")
    stages = {"domain": sorted({p["stage"] for p in points}), "range": STAGE_COLOURS}
    x = {"field": "x", "type": "quantitative", "title": "step (all stages)", "axis": STEP_AXIS}
    y = {"field": "loss", "type": "quantitative", "title": "loss"}
    line = {
        "data": {"name": "points"},
        "mark": {"type": "line", "strokeWidth": 2},
        "encoding": {
            "x": x,
            "y": y,
            "stroke": {"field": "stage", "type": "nominal", "title": None, "scale": stages},
        },
    }
    # Points too, so that a run of one step shows something and each step has a tooltip.
    dots = {
        "data": {"name": "points"},
        "mark": {"type": "point", "filled": True, "size": 18, "strokeWidth": 0},
        "encoding": {
            "x": x,
            "y": y,
            "fill": {"field": "stage", "type": "nominal", "title": None, "scale": stages},
            "tooltip": [
                {"field": "stage", "type": "nominal"},
                {"field": "step", "type": "quantitative", "title": "step in stage"},
                {"field": "loss", "type": "quantitative", "format": ".4f"},
            ],
        },
    }
    return _chart(title, [line, dots], {"points": points})


def _point_size(n_steps: int, n_blocks: int) -> float:
    # A dot about half a cell wide at a ~900 x 260 px plot, kept visible on long runs.
    side = min(900 / max(n_steps, 1), HEIGHT / max(n_blocks, 1))
    return round(max(6.0, min(80.0, (side * 0.5) ** 2)), 1)


def norms_heatmap(steps: Sequence[Mapping[str, Any]]) -> dict:
    """Per-block gradient norms over the steps, with each step's selected blocks dotted.

    x is the step over all stages, y the block; the cell colour is the norm (log scale
    when every norm is positive). A dot marks a block the step trained, its shape the
    stage; a dashed rule separates Stage I from Stage II.

    Args:
        steps: ``run_detail``'s steps (``stage``, ``step``, ``selected``, ``norms``:
            block index as a string -> norm, None when not finite).
    """
    title = "Gradient norm per block"
    if not steps:
        return empty_chart(title)
    ordered = _ordered(steps)
    # A long run shows every stride-th step (and the last): the chart is redrawn on each
    # new step while the run goes on, and its size grows with steps x blocks.
    stride = math.ceil(len(ordered) / MAX_COLUMNS)
    cells, selected, blocks, last_of_stage = _norm_points(ordered, stride)
    if not cells and not selected:
        return empty_chart(title, "no gradient norms recorded yet")
    log_scale = bool(cells) and all(c["norm"] > 0 for c in cells)
    # Between stages: after the last step of each stage but the final one.
    boundaries = [{"x": x + 0.5} for x in sorted(last_of_stage.values())[:-1]]
    y = {"field": "block", "type": "ordinal", "sort": "descending", "title": "block"}
    size = _point_size(math.ceil(len(steps) / stride), len(blocks))
    layers = [
        _cells_layer(stride / 2, len(steps), log_scale, y),
        _selected_layer(selected, size, y),
    ]
    if boundaries:
        layers.append(_boundaries_layer())
    datasets = {"cells": cells, "selected": selected, "boundaries": boundaries}
    subtitle = "dots: the blocks each step trained"
    if stride > 1:
        subtitle += f" (every {stride} steps shown)"
    return _chart(title, layers, datasets, subtitle)


def _norm_points(
    ordered: list[tuple[int, Mapping[str, Any]]], stride: int
) -> tuple[list[dict], list[dict], set[int], dict[str, int]]:
    """The heatmap's cells (every finite norm) and dots (every trained block) of every
    stride-th step and the last, the blocks they name, and each stage's last step."""
    cells, selected, blocks = [], [], set()
    last_of_stage: dict[str, int] = {}
    for x, s in ordered:
        stage = _stage(s.get("stage"))
        last_of_stage[stage] = x
        if (x - 1) % stride and x != len(ordered):
            continue
        chosen = {int(b) for b in s.get("selected") or ()}
        for block, norm in (s.get("norms") or {}).items():
            if norm is None:
                continue
            blocks.add(int(block))
            cells.append(
                {"step": x, "block": int(block), "norm": norm, "selected": int(block) in chosen}
            )
        for block in sorted(chosen):
            blocks.add(block)
            selected.append({"step": x, "block": block, "stage": stage})
    return cells, selected, blocks, last_of_stage


def _cells_layer(half: float, steps: int, log_scale: bool, y: dict) -> dict:
    """The norms as coloured cells, each spanning the ``2 * half`` steps it stands for."""
    return {
        "data": {"name": "cells"},
        "mark": {"type": "rect", "strokeWidth": 0},
        "transform": [
            {"calculate": f"datum.step - {half}", "as": "x0"},
            {"calculate": f"datum.step + {half}", "as": "x1"},
        ],
        "encoding": {
            "x": {
                "field": "x0",
                "type": "quantitative",
                "title": "step (all stages)",
                "axis": STEP_AXIS,
                "scale": {
                    "domain": [1 - half, steps + half],
                    "nice": False,
                    "zero": False,
                },
            },
            "x2": {"field": "x1"},
            "y": y,
            "fill": {
                "field": "norm",
                "type": "quantitative",
                "title": "grad norm",
                "scale": {"type": "log" if log_scale else "linear", "scheme": "viridis"},
                "legend": {"orient": "right", "format": ".3g"},
            },
            "tooltip": [
                {"field": "step", "type": "quantitative"},
                {"field": "block", "type": "ordinal"},
                {"field": "norm", "type": "quantitative", "format": ".3g"},
                {"field": "selected", "type": "nominal"},
            ],
        },
    }


def _selected_layer(selected: list[dict], size: float, y: dict) -> dict:
    """The trained blocks as dots shaped by their stage."""
    return {
        "data": {"name": "selected"},
        "mark": {
            "type": "point",
            "filled": True,
            "fill": "#ffffff",
            "stroke": "#111827",
            "strokeWidth": 0.8,
            "size": size,
        },
        "encoding": {
            "x": {"field": "step", "type": "quantitative"},
            "y": y,
            "shape": {
                "field": "stage",
                "type": "nominal",
                "title": "trained blocks",
                "scale": {
                    "domain": sorted({p["stage"] for p in selected}) or [STAGES[1]],
                    "range": ["circle", "diamond", "square"],
                },
                "legend": {"orient": "bottom"},
            },
        },
    }


def _boundaries_layer() -> dict:
    """Dashed rules between the stages."""
    return {
        "data": {"name": "boundaries"},
        "mark": {
            "type": "rule",
            "strokeDash": [5, 3],
            "stroke": BOUNDARY,
            "strokeWidth": 2,
        },
        "encoding": {"x": {"field": "x", "type": "quantitative"}},
    }


def g_bars(selection: Mapping[str, Any] | None) -> dict:
    """G (how often Stage I selected each block) as bars, the S_gen blocks highlighted.

    Args:
        selection: ``run_detail``'s selection (``G``, ``s_gen``, ``alignment_ratio``), or
            None before the run has written one.
    """
    title = "G: importance per block"
    values = (selection or {}).get("G")
    if not values:
        return empty_chart(title, "no selection yet (written when the run finishes)")
    s_gen = {int(b) for b in (selection or {}).get("s_gen") or ()}
    bars = [
        {"block": k, "G": g, "role": "S_gen" if k in s_gen else "other"}
        for k, g in enumerate(values)
    ]
    ratio = (selection or {}).get("alignment_ratio")
    subtitle = f"S_gen = {sorted(s_gen)}" if s_gen else "no S_gen"
    if ratio is not None:
        subtitle += f" · alignment ratio {ratio:.2f}"
    layer = {
        "data": {"name": "bars"},
        "mark": {"type": "bar", "strokeWidth": 0},
        "encoding": {
            "x": {"field": "block", "type": "ordinal", "title": "block"},
            "y": {"field": "G", "type": "quantitative", "title": "G"},
            "fill": {
                "field": "role",
                "type": "nominal",
                "title": None,
                "scale": {"domain": ["S_gen", "other"], "range": [SGEN_COLOUR, OTHER_COLOUR]},
            },
            "tooltip": [
                {"field": "block", "type": "ordinal"},
                {"field": "G", "type": "quantitative"},
                {"field": "role", "type": "nominal"},
            ],
        },
    }
    return _chart(title, [layer], {"bars": bars}, subtitle)


def acceptance_bars(groups: Sequence[Mapping[str, Any]], title: str) -> dict:
    """Accepted and rejected edits per group (intention or adapter) as stacked bars.

    Args:
        groups: ``feedback_stats``' rows (``key`` None: no intention / no adapter).
        title: the chart's title.
    """
    bars = [
        {"key": g.get("key") or "(none)", "decision": decision, "edits": g.get(decision) or 0}
        for g in groups
        for decision in ("accepted", "rejected")
        if g.get(decision)
    ]
    if not bars:
        return empty_chart(title, "no decisions yet")
    layer = {
        "data": {"name": "bars"},
        "mark": {"type": "bar", "strokeWidth": 0},
        "encoding": {
            "x": {"field": "key", "type": "nominal", "title": None},
            "y": {"field": "edits", "type": "quantitative", "title": "edits", "stack": True},
            "fill": {
                "field": "decision",
                "type": "nominal",
                "title": None,
                "scale": {
                    "domain": ["accepted", "rejected"],
                    "range": [ACCEPTED_COLOUR, REJECTED_COLOUR],
                },
            },
            "tooltip": [
                {"field": "key", "type": "nominal", "title": "group"},
                {"field": "decision", "type": "nominal"},
                {"field": "edits", "type": "quantitative"},
            ],
        },
    }
    return _chart(title, [layer], {"bars": bars})
