"""The Gradio user interface: layout and short handlers (no torch, no SQL)."""

import gradio as gr

from ui.api import register_api
from ui.history_tab import build_history_tab
from ui.render import CSS
from ui.revise_tab import build_revise_tab
from ui.studio import Studio

__all__ = ["CSS", "build_ui"]


def build_ui(studio: Studio, *, title: str = "Revision Studio", subtitle: str = "") -> gr.Blocks:
    """The whole app as a ``gr.Blocks`` (not launched)."""
    with gr.Blocks(title=title) as blocks:
        gr.Markdown(f"## {title}\n{subtitle}")
        with gr.Tabs():
            with gr.Tab("Revise"):
                review, fill = build_revise_tab(studio)
            with gr.Tab("History") as history:
                refresh, table = build_history_tab(studio, review, fill)
            history.select(refresh, None, table, api_visibility="private")
        register_api(studio)
    return blocks
