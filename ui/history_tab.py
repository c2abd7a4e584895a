"""The History tab: a writer's earlier revisions, re-openable in the Revise tab.

With no users configured the app has one local writer, who sees every revision; with
users (signed in through Gradio's auth) each writer sees their own.
"""

from collections.abc import Callable

import gradio as gr

from services.studio import Studio
from ui.errors import call

COLUMNS = ["id", "when (UTC)", "text", "intentions", "edits", "accepted", "rejected", "rating"]


def _user(request: gr.Request | None) -> str | None:
    return getattr(request, "username", None) if request is not None else None


def build_history_tab(studio: Studio, review: list, fill: Callable[[dict], tuple]):
    """Declare the History tab's content inside an open ``gr.Tab``.

    Args:
        studio: the writer's actions.
        review: the Revise tab's review outputs.
        fill: turns a revision view into values for ``review``.

    Returns:
        The refresh handler and the table, to refresh it when the tab is selected.
    """
    gr.Markdown("Your earlier revisions, newest first. Click a row to open it in **Revise**.")
    refresh = gr.Button("Refresh", size="sm")
    table = gr.Dataframe(headers=COLUMNS, interactive=False, wrap=True)

    def on_refresh(request: gr.Request = None):
        rows = call(studio.history, user=_user(request))  # the database may be busy
        return [
            [
                r["revision_id"],
                r["created_at"].replace("T", " ")[:19],
                r["source_preview"],
                ", ".join(r["intentions"]),
                r["edits"],
                r["accepted"],
                r["rejected"],
                r["rating"] or "",
            ]
            for r in rows
        ]

    def on_open(evt: gr.SelectData, request: gr.Request = None):
        revision_id = int(evt.row_value[0])
        view = call(studio.get, revision_id, user=_user(request))
        gr.Info(f"Opened revision {revision_id} in the Revise tab.")
        return fill(view)

    refresh.click(on_refresh, None, table, api_visibility="private")
    table.select(on_open, None, review, api_visibility="private")
    return on_refresh, table
