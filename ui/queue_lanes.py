"""Gradio's queue bounded lane by lane, so that waiting model work never refuses a cheap call.

Gradio's ``queue(max_size=N)`` counts the events waiting in all lanes together (a lane is
a ``concurrency_id``: every model endpoint shares the ``model`` lane, every other endpoint
has its own). With writers waiting for the model, the count reaches N and Gradio answers
every new request 503 "Queue is full", an admin's ``/admin_runs`` and a writer's
``/whoami`` or ``/history`` included, though they need no model and would take
milliseconds. ``bound_per_lane`` makes the bound apply to each lane on its own: model work
is refused when N requests wait for the model (with a message that says so); a flood of
one cheap call fills only that call's lane; the others answer on. In the model lane one
writer (the login; the browser session where no login exists) may also have only a few
requests waiting (``per_writer``, the number of revisions a writer may have running), so
one writer cannot fill the lane and turn everyone else away. A refusal is Gradio's own 503
"queue full" answer with the reason as its detail: raw HTTP callers read the reason, the
page shows Gradio's "This application is currently busy" and ``gradio_client`` raises
``QueueError``.

Written by hand because Gradio offers no per-event queue size: the one bound is
``Queue.max_size``, checked in ``Queue.push``. The installed queue keeps Gradio's class
and state and changes only that check (``LaneBoundedQueue.push``); a Gradio upgrade that
changes ``push`` or the lane map is caught by ``tests/test_app_limits.py``, which fills
the model lane of a running app and calls the cheap endpoints.
"""

from typing import Any

from gradio import queueing, route_utils

MODEL_LANE = "model"  # the concurrency_id every endpoint that runs the model shares
BUSY = "The studio is busy: {waiting} revisions are waiting for the model. Try again in a minute."
OTHER_BUSY = "Too many requests of this kind are waiting ({waiting}). Try again in a minute."
WRITER_BUSY = (
    "You already have {mine} revisions waiting for the model; wait for one to finish before "
    "starting another."
)


class LaneBoundedQueue(queueing.Queue):
    """Gradio's queue with ``lane_size`` waiting events allowed per lane (set by
    ``bound_per_lane``) instead of ``max_size`` over all lanes."""

    lane_size: int
    model_lane: str
    per_writer: int | None

    def waiting_in(self, lane: str) -> int:
        """Events waiting (not yet running) in one lane."""
        queue = self.event_queue_per_concurrency_id.get(lane)
        return len(queue.queue) if queue is not None else 0

    async def push(self, body: Any, request: Any, username: str | None) -> tuple[Any, ...]:
        if body.fn_index is not None:
            try:
                fn = route_utils.get_fn(self.blocks, None, body)
            except (KeyError, IndexError, TypeError):
                fn = None  # Gradio's own push answers an unknown function
            if fn is not None:
                refusal = self._refusal(fn.concurrency_id, username or body.session_hash)
                if refusal is not None:
                    return False, refusal, "queue_full"
        return await super().push(body, request, username)

    def _refusal(self, lane: str, writer: str | None) -> str | None:
        """Why a new event for ``lane`` from ``writer`` may not wait, or None."""
        waiting = self.waiting_in(lane)
        if waiting >= self.lane_size:
            return (BUSY if lane == self.model_lane else OTHER_BUSY).format(waiting=waiting)
        if lane == self.model_lane and self.per_writer is not None and writer is not None:
            queue = self.event_queue_per_concurrency_id.get(lane)
            events = queue.queue if queue is not None else ()
            mine = sum((e.username or e.session_hash) == writer for e in events)
            if mine >= self.per_writer:
                return WRITER_BUSY.format(mine=mine)
        return None


def bound_per_lane(
    blocks: Any, size: int, per_writer: int | None = None, model_lane: str = MODEL_LANE
) -> None:
    """Bound the queue of ``blocks`` (after ``blocks.queue()``) to ``size`` waiting events
    per lane, and to ``per_writer`` events of one writer in ``model_lane`` (None: no such
    bound), the lane whose refusals say the model is busy."""
    if size < 1 or (per_writer is not None and per_writer < 1):
        raise ValueError(f"a lane holds at least 1 waiting request, got {size}, {per_writer}")
    queue = blocks._queue
    queue.__class__ = LaneBoundedQueue  # the same object and state, one check changed
    queue.max_size = None  # no bound over all lanes together
    queue.lane_size = size
    queue.per_writer = per_writer
    queue.model_lane = model_lane
