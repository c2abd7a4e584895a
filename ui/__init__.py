"""The Gradio user interface: layout and short handlers (no torch, no SQL)."""

import html

import gradio as gr

from services.admin import Admin
from services.studio import Studio
from ui.admin_api import register_admin_api
from ui.admin_tab import build_admin_tab
from ui.api import register_api
from ui.history_tab import build_history_tab
from ui.render import CSS
from ui.revise_tab import build_revise_tab

__all__ = ["CSS", "build_ui"]


def _signed_in(admin: Admin, username: str | None) -> str:
    """The header's user line (HTML): who is logged in and a logout link; empty without
    login."""
    if not username or not admin.access.login_required():
        return ""
    # HTML, not Markdown: Gradio opens Markdown links in a new tab, and logging out must
    # leave this one. Relative, so it also works when the app is served under a prefix.
    return (
        f'<div style="text-align:right">Signed in as <code>{html.escape(username)}</code>'
        ' · <a href="logout">Log out</a></div>'
    )


def build_ui(
    studio: Studio,
    *,
    admin: Admin | None = None,
    title: str = "Revision Studio",
    subtitle: str = "",
    model_concurrency: int = 1,
) -> gr.Blocks:
    """The whole app as a ``gr.Blocks`` (not launched).

    Args:
        studio: the writer's actions.
        admin: the researcher's actions; with it the app has an Admin tab, shown only to
            admins (``Admin`` also refuses everyone else on every call), and the header
            names the logged-in user with a logout link.
        title, subtitle: the page's heading.
        model_concurrency: requests that may use the model at once (their rows share
            batches in the adapter pool's scheduler; 1: one request at a time).
    """
    with gr.Blocks(title=title) as blocks:
        if admin is None:
            gr.Markdown(f"## {title}\n{subtitle}")
        else:
            with gr.Row():
                gr.Markdown(f"## {title}\n{subtitle}")
                user_line = gr.HTML("")
        with gr.Tabs():
            with gr.Tab("Revise") as revise:
                review, fill = build_revise_tab(studio, model_concurrency)
            with gr.Tab("History") as history:
                refresh, table = build_history_tab(studio, review, fill)
            history.select(refresh, None, table, api_visibility="private")
            if admin is not None:
                # Hidden until the page's load event finds an admin behind the request.
                with gr.Tab("Admin", id="admin", visible=False) as admin_tab:
                    parts = build_admin_tab(admin)
        register_api(studio, model_concurrency)
        if admin is not None:
            register_admin_api(admin)
            quiet = {"api_visibility": "private", "show_progress": "hidden"}
            admin_tab.select(parts["on_show"], parts["subtab"], parts["timers"], **quiet)
            for other in (revise, history):
                other.select(parts["on_hide"], None, parts["timers"], **quiet)

            def on_load(request: gr.Request):
                username = getattr(request, "username", None)
                shown = gr.Tab(visible=admin.access.is_admin(username))
                return shown, _signed_in(admin, username)

            blocks.load(on_load, None, [admin_tab, user_line], **quiet)
    return blocks
