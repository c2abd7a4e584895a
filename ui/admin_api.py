"""The admin HTTP API (``gradio_client``): every action of the Admin tab by name.

    client = Client("http://127.0.0.1:7860/", auth=("ada", PASSWORD))
    run = client.predict({"method": "lora", "data": "iterater-sent"},
                         api_name="/admin_start_training")
    client.predict(run["id"], 0, api_name="/admin_run")      # steps, log, selection

Each endpoint passes the logged-in name (Gradio injects ``gr.Request`` into ``gr.api``
functions; ``request.username`` is set under ``launch(auth=...)``) to ``Admin``, which
refuses non-admins. PermissionDenied and the other domain errors, and ValueError for bad
input, become ``gr.Error`` with the message.
"""

import gradio as gr

from services.access import LOCAL_USER
from services.admin import Admin
from ui.errors import call

FILE_DATA = "gradio.FileData"


def _username(request: gr.Request | None) -> str | None:
    return getattr(request, "username", None) if request is not None else None


def register_admin_api(admin: Admin) -> None:
    """Declare the admin endpoints (and ``whoami``) inside an open ``gr.Blocks``."""

    def whoami(request: gr.Request) -> dict:
        """Who is calling: ``{user, admin, login_required}`` (user ``local`` without login)."""
        name = _username(request)
        required = admin.access.login_required()
        user = name if required else (LOCAL_USER if admin.access.loopback else None)
        return {"user": user, "admin": admin.access.is_admin(name), "login_required": required}

    def admin_start_training(job: dict, request: gr.Request) -> dict:
        """Queue a training run. job: TrainConfig keys (method, data, model, max_steps,
        stage1_steps, batch_size, lr, max_length, init_from, and for data "feedback":
        replay_data, replay_limit, feedback_negatives; name: the adapter's name; parent:
        a registered adapter's id or name to start from). Returns the run."""
        return call(admin.start_training, _username(request), job)

    def admin_upload_data(filename: str, file: dict, request: gr.Request) -> dict:
        """Keep an IteraTeR JSONL file to train on. file: ``handle_file(path)``; filename:
        its name ("" for the uploaded file's own). Returns {data, rows, name}: data is the
        kept file's path, to give as a job's data."""
        # Only a file the client uploaded: Gradio checks such a payload's path lies in its
        # upload folder; a bare {"path": ...} would name any file on the server.
        meta = file.get("meta") if isinstance(file, dict) else None
        if not isinstance(meta, dict) or meta.get("_type") != FILE_DATA or not file.get("path"):
            raise gr.Error("file must be an uploaded file (gradio_client.handle_file(path))")
        name = filename or file.get("orig_name") or ""
        return call(admin.upload_data, _username(request), name, file["path"])

    def admin_runs(request: gr.Request, limit: int = 50) -> list[dict]:
        """The latest training runs, newest first (status, progress, adapter, ...)."""
        return call(admin.list_runs, _username(request), limit)

    def admin_run(run_id: int, request: gr.Request, after_log_id: int = 0) -> dict:
        """One run: {run, steps, logs (newer than after_log_id), selection}."""
        return call(admin.run_detail, _username(request), run_id, after_log_id)

    def admin_cancel_run(run_id: int, request: gr.Request) -> dict:
        """Cancel a queued or running training run. Returns the run."""
        return call(admin.cancel_run, _username(request), run_id)

    def admin_evaluate(
        request: gr.Request,
        adapter_id: int | None = None,
        baseline: str | None = None,
        data: str = "iterater-sent",
        split: str = "test",
        limit: int | None = None,
    ) -> dict:
        """Queue an evaluation of an adapter (adapter_id) or a baseline (copy|zero-shot)."""
        return call(
            admin.evaluate,
            _username(request),
            adapter_id=adapter_id,
            baseline=baseline,
            data=data,
            split=split,
            limit=limit,
        )

    def admin_evaluations(request: gr.Request, limit: int = 50) -> list[dict]:
        """The latest evaluations with SARI, GLEU, Update-R and F1 once done."""
        return call(admin.list_evaluations, _username(request), limit)

    def admin_cancel_evaluation(evaluation_id: int, request: gr.Request) -> dict:
        """Cancel a queued evaluation."""
        return call(admin.cancel_evaluation, _username(request), evaluation_id)

    def admin_adapters(request: gr.Request, include_deleted: bool = False) -> list[dict]:
        """Every registered adapter with lineage, metrics and acceptance rate."""
        return call(admin.list_adapters, _username(request), include_deleted)

    def admin_activate(
        adapter_id: int | None, request: gr.Request, intentions: list[str] | None = None
    ) -> dict:
        """Make an adapter the active one (None: the base model) for the intention set
        ``intentions`` (none: every set without its own). Returns {active, intentions}."""
        return call(admin.activate, _username(request), adapter_id, intentions)

    def admin_rollback(request: gr.Request, intentions: list[str] | None = None) -> dict:
        """Go back to the adapter active before, for the intention set ``intentions``
        (none: the default). Returns {active, intentions}."""
        return call(admin.rollback, _username(request), intentions)

    def admin_delete_adapter(adapter_id: int, request: gr.Request) -> dict:
        """Delete an adapter from the registry (not the active one)."""
        return call(admin.delete_adapter, _username(request), adapter_id)

    def admin_serving(request: gr.Request) -> list[dict]:
        """Which adapter serves which intention set ([]: the default)."""
        return call(admin.serving, _username(request))

    def admin_activations(request: gr.Request, limit: int = 20) -> list[dict]:
        """The latest activations and rollbacks, newest first."""
        return call(admin.activation_history, _username(request), limit)

    def admin_feedback(request: gr.Request) -> dict:
        """Acceptance of the suggested edits overall, per intention and per adapter."""
        return call(admin.feedback_stats, _username(request))

    def admin_compare_adapters(a: int | str, b: int | str, request: gr.Request) -> dict:
        """Two adapters' acceptance side by side (a, b: id or name). Returns {a, b}, each
        {adapter_id, name, overall, by_intention} with accepted, rejected and rate."""
        return call(admin.compare_adapters, _username(request), a, b)

    def admin_export_feedback(request: gr.Request) -> dict:
        """Write the accepted edits as IteraTeR JSONL. Returns {file, rows, revisions}."""
        return call(admin.export_feedback, _username(request))

    def admin_feedback_job(request: gr.Request) -> dict:
        """The default training job on the writers' feedback."""
        return call(admin.feedback_job, _username(request))

    def admin_default_job(request: gr.Request) -> dict:
        """The default training job."""
        return call(admin.default_job, _username(request))

    for fn in (
        whoami,
        admin_start_training,
        admin_upload_data,
        admin_runs,
        admin_run,
        admin_cancel_run,
        admin_evaluate,
        admin_evaluations,
        admin_cancel_evaluation,
        admin_adapters,
        admin_activate,
        admin_rollback,
        admin_delete_adapter,
        admin_serving,
        admin_activations,
        admin_feedback,
        admin_compare_adapters,
        admin_export_feedback,
        admin_feedback_job,
        admin_default_job,
    ):
        gr.api(fn, api_name=fn.__name__)
