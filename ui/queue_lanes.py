"""Gradio's queue bounded lane by lane, so that waiting model work never refuses a cheap call.

Gradio's ``queue(max_size=N)`` counts the events waiting in all lanes together (a lane is
a ``concurrency_id``: every model endpoint shares the ``model`` lane, every other endpoint
has its own). With writers waiting for the model, the count reaches N and Gradio answers
every new request 503 "Queue is full", an admin's ``/admin_runs`` and a writer's
``/whoami`` or ``/history`` included, though they need no model and would take
milliseconds. ``bound_per_lane`` makes the bound apply to each lane on its own: model work
is refused when N requests wait for the model (with a message that says so); a flood of
one cheap call fills only that call's lane; the others answer on.

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


class LaneBoundedQueue(queueing.Queue):
    """Gradio's queue with ``lane_size`` waiting events allowed per lane (set by
    ``bound_per_lane``) instead of ``max_size`` over all lanes."""

    lane_size: int
    model_lane: str

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
                waiting = self.waiting_in(fn.concurrency_id)
                if waiting >= self.lane_size:
                    text = BUSY if fn.concurrency_id == self.model_lane else OTHER_BUSY
                    return False, text.format(waiting=waiting), "queue_full"
        return await super().push(body, request, username)


def bound_per_lane(blocks: Any, size: int, model_lane: str = MODEL_LANE) -> None:
    """Bound the queue of ``blocks`` (after ``blocks.queue()``) to ``size`` waiting events
    per lane; ``model_lane`` is the lane whose refusals say the model is busy."""
    if size < 1:
        raise ValueError(f"a lane holds at least 1 waiting request, got {size}")
    queue = blocks._queue
    queue.__class__ = LaneBoundedQueue  # the same object and state, one check changed
    queue.max_size = None  # no bound over all lanes together
    queue.lane_size = size
    queue.model_lane = model_lane
