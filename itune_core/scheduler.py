"""Requests of many writers decoded together: rows coalesced into shared batches.

On a CPU or a GPU, decoding is bound by reading the weights, so rows added to a batch ride
almost free. ``BatchScheduler`` owns the model's use: requests hand it their rows
(``decode``) and their scoring jobs (``scorer``), and one thread runs them:

1. every scoring job waiting (``itune_core.confidence``: a few tokens per row), in one
   call and one pass;
2. every other model call waiting (``call``), one after another: on a CPU, forward passes
   from many threads at once oversubscribe the cores and each takes many times longer.
   The calls of a function that takes many callers' arguments at once
   (``call_together``: labelling the edits of the revisions that wait, with the
   intention predictor) run as one call. On a CPU a pass over a few tokens costs nearly
   as much as one over many (it reads every weight either way), so these short jobs,
   one per request, cost little more together than one alone;
3. a batch of rows (``Decoder.generate``), round-robin across the waiting requests. Rows
   keep joining it between passes as rows end and free their slots, up to ``max_rows``,
   and the scores and calls handed in meanwhile run between passes too, so the batch stays
   full under load and no one waits for it to end. A writer who arrives while a long
   document is decoding joins within a pass or two.

Fairness: while several requests wait or run, none has more than ``max_rows_per_request``
rows in the batch, and the requests with the fewest rows in it are served first, the order
rotating from take to take; one writer's long document cannot starve a short request. A
request alone may fill the batch (a paragraph's sentences go through the model together).
A request's rows are taken longest first, so rows of similar length arrive together. Each
row goes to its request as soon as it ends, while the rest of its batch runs on. The
decoder drafts every row's next tokens from its own text (prompt lookup,
``itune_core.decoding``) in a batch as well as alone.

A pass that answered someone is followed by a short grace (``grace_s``) before the next
one: the requests it answered usually hand in their next short job (scoring the edits of
a decoded row, labelling a finished revision) within a millisecond or two, and that job
then runs before the next pass instead of after it.

Someone else waiting for the model (``contended``: the adapter pool attaching an adapter)
stops rows from joining: the batch then ends and lets them in.

A request that goes away (``decode``'s iterator closed: the page was closed, the client
disconnected) drops its waiting rows, and its rows in the running batch stop at their next
token. At the interpreter's exit every scheduler is closed (``close``): its rows stop the
same way and its thread ends before the interpreter stops it. A daemon thread stopped
inside a model call aborts the process ("terminate called without an active exception",
exit status 134), as an app stopped while a writer's revision ran or a script that ended
with a batch still running did. A request still waiting then gets ``SchedulerClosed``, never
an answer cut short.

An error in a batch is raised in every request that had rows in it; the others go
on. ``max_rows=1`` decodes one row at a time: the unbatched path, kept for comparison.

Why not transformers' continuous batching (``generate_batch``, ``init_continuous_batching``):
in transformers 5.23 a request carries its prompt, an end-of-sequence id and a token budget
only, so there is no adapter per request (the model's active adapter serves all of them,
where PEFT's ``adapter_names`` gives one per row) and no stopping criteria for the loop
guard and the line-break stop, nor prompt lookup. The decoder's own loop
(``Decoder.generate``) does all of these, on CPU and CUDA alike, and takes new rows between
its passes: continuous batching over PEFT's per-row adapters.
"""

import atexit
import logging
import queue
import threading
import time
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from itertools import count

from itune_core.confidence import Scorer
from itune_core.decoding import Decoded, Decoder, Row

logger = logging.getLogger(__name__)

# Seconds the scheduler's thread waits for work before it ends; the next job starts one.
IDLE_EXIT_S = 60.0
# Seconds ``close`` waits for the thread to end: a pass over a full batch takes under one.
CLOSE_WAIT_S = 30.0
CLOSED = "the batch scheduler is closed: the process is exiting"


class SchedulerClosed(RuntimeError):
    """The scheduler was closed (the interpreter is exiting): it takes no more work."""


@dataclass
class _Request:
    pending: deque  # (index, row), longest prompt first
    results: queue.Queue = field(default_factory=queue.Queue)
    cancel: threading.Event = field(default_factory=threading.Event)


@dataclass
class _Job:
    """Work a caller hands to the scheduler's thread and waits for."""

    done: threading.Event = field(default_factory=threading.Event, init=False)
    result: object = field(default=None, init=False)
    error: BaseException | None = field(default=None, init=False)


@dataclass
class _Call(_Job):
    fn: Callable[[], object] = lambda: None


@dataclass
class _TogetherCall(_Job):
    """One caller's arguments for a function that takes every waiting caller's at once."""

    fn: Callable[[list[tuple]], list] = lambda items: []
    args: tuple = ()


@dataclass
class _ScoreJob(_Job):
    row: Row | None = None
    answers: Sequence[str] = ()


class BatchScheduler:
    """Decodes the rows of concurrent requests in shared batches (see the module doc).

    Args:
        decoder: the decoder that runs the model.
        max_rows: rows per ``generate`` call.
        max_rows_per_request: rows of one request in one call while other requests wait.
        grace_s: how long the scheduler waits for follow-up jobs after a pass that
            answered someone, before it starts the next ``generate`` (seconds).
        exclusive: entered around every use of the model (the adapter pool's gate, so an
            adapter is never attached under a running batch).
        contended: True while someone else waits to use the model (an adapter to attach):
            the running batch then takes no new rows, ends, and lets them in.
    """

    def __init__(
        self,
        decoder: Decoder,
        *,
        max_rows: int = 16,
        max_rows_per_request: int = 8,
        grace_s: float = 0.02,
        exclusive: Callable[[], AbstractContextManager] = nullcontext,
        contended: Callable[[], bool] = lambda: False,
    ) -> None:
        for name, value in (("max_rows", max_rows), ("max_rows_per_request", max_rows_per_request)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if (
            isinstance(grace_s, bool)
            or not isinstance(grace_s, int | float)
            or not 0 <= grace_s <= 1
        ):
            raise ValueError(f"grace_s must be a number of seconds in [0, 1], got {grace_s!r}")
        self.decoder = decoder
        self.grace_s = float(grace_s)
        self.max_rows, self.max_rows_per_request = max_rows, max_rows_per_request
        self._exclusive, self._contended = exclusive, contended
        self._cond = threading.Condition()
        self._requests: OrderedDict[int, _Request] = OrderedDict()
        self._scores: list[_ScoreJob] = []
        self._calls: list[_Job] = []  # _Call and _TogetherCall, in the order they came
        self._ids = count()
        self._thread: threading.Thread | None = None
        self.batches = 0  # generate calls made (for tests and benchmarks)
        self.rows_decoded = 0
        # Seconds the model spent on each kind of work (written by the scheduler's thread
        # only): where the time goes under load (``benchmarks/model_time.py``).
        self.busy_seconds = {"generate": 0.0, "score": 0.0, "calls": 0.0}
        self._closed = False
        _OPEN.add(self)

    @property
    def tokenizer(self):
        return self.decoder.tokenizer

    def row(self, piece: str, intentions: Sequence[str], adapter: str | None = None) -> Row:
        return self.decoder.row(piece, intentions, adapter)

    # --- what requests call -----------------------------------------------------------

    def decode(
        self, rows: Sequence[Row], cancel: threading.Event | None = None
    ) -> Iterator[tuple[int, Decoded]]:
        """Decode ``rows`` with everyone else's; yields ``(index in rows, answer)`` as each
        row completes. Closing the iterator (or setting ``cancel``) drops the rest."""
        if not rows:
            return
        order = sorted(range(len(rows)), key=lambda k: -len(rows[k].prompt))
        request = _Request(deque((k, rows[k]) for k in order))
        if cancel is not None:
            request.cancel = cancel
        key = next(self._ids)
        with self._cond:
            self._start()
            self._requests[key] = request
            self._cond.notify_all()
        try:
            for _ in range(len(rows)):
                item = request.results.get()
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            request.cancel.set()  # its rows in a running batch stop at their next token
            with self._cond:
                self._requests.pop(key, None)

    def scorer(self, row: Row) -> Scorer:
        """Log-probabilities of answers to ``row``'s prompt, scored in the scheduler's
        next pass with every other waiting job."""

        return lambda answers: self._wait_for("_scores", _ScoreJob(row=row, answers=answers))

    def release(self, row: Row) -> None:
        """Drop what the decoder kept for ``row`` (``Decoder.release``; thread-safe)."""
        self.decoder.release(row)

    def call(self, fn: Callable[..., object], *args, **kwargs) -> object:
        """``fn(*args, **kwargs)`` run in the scheduler's thread between a batch's passes or
        between batches (so it never competes with a pass for the cores); its result, or its
        exception."""
        return self._wait_for("_calls", _Call(fn=lambda: fn(*args, **kwargs)))

    def call_together(self, fn: Callable[[list[tuple]], list], *args) -> object:
        """``fn``'s answer for ``args``, where ``fn`` takes a list of argument tuples and
        answers each, in order: run like ``call``, in one call with the arguments that
        other callers handed in for the same ``fn`` (equal functions: the same method of
        the same object) meanwhile. Labelling the edits of several writers' revisions takes
        one pass of the predictor this way, not one each. When that call fails, each
        caller's arguments are tried alone: an error reaches only the callers it is due to."""
        return self._wait_for("_calls", _TogetherCall(fn=fn, args=args))

    def _wait_for(self, queue_name: str, job: _Job) -> object:
        """Queue ``job`` on the list ``queue_name`` for the scheduler's thread (looked up
        under the lock: the thread swaps the lists); its result or its error."""
        with self._cond:
            self._start()
            getattr(self, queue_name).append(job)
            self._cond.notify_all()
        job.done.wait()
        if job.error is not None:
            raise job.error
        return job.result

    # --- the scheduling thread --------------------------------------------------------

    def close(self, timeout: float = CLOSE_WAIT_S) -> None:
        """Stop the scheduler: every request's rows stop at their next token, the work
        still waiting fails with ``SchedulerClosed`` (as does any handed in later), and
        the thread ends; waits up to ``timeout`` seconds for it. Run for every scheduler at
        the interpreter's exit (see the module doc)."""
        with self._cond:
            self._closed = True
            for request in self._requests.values():
                request.cancel.set()
            thread = self._thread
            self._cond.notify_all()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _start(self) -> None:
        if self._closed:
            raise SchedulerClosed(CLOSED)
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._loop, name="batch-scheduler", daemon=True)
            self._thread.start()

    def _has_work(self) -> bool:
        return (
            bool(self._scores)
            or bool(self._calls)
            or any(r.pending for r in self._requests.values())
        )

    def _loop(self) -> None:
        answered_at = None  # when a pass last answered someone, who may hand in a follow-up
        while True:
            with self._cond:
                if not self._cond.wait_for(lambda: self._closed or self._has_work(), IDLE_EXIT_S):
                    # Idle: the thread ends (and lets go of the scheduler, so a Reviser
                    # nobody holds can be collected); the next job starts a new one.
                    self._thread = None
                    return
                if self._closed:
                    self._fail_waiting()
                    self._thread = None
                    return
                grace = (
                    0.0 if answered_at is None else answered_at + self.grace_s - time.monotonic()
                )
                if grace > 0 and not (self._scores or self._calls):
                    self._cond.wait_for(lambda: self._scores or self._calls, grace)
                jobs, self._scores = self._scores, []
                calls, self._calls = self._calls, []
                batch = []
                if not (jobs or calls):  # short jobs first: their follow-ups may come next
                    try:
                        batch = self._take()
                    except Exception:  # never leave the thread: waiting requests would hang
                        logger.exception("choosing the next batch failed")
            if jobs:
                with self._timed("score"):
                    self._run_scores(jobs)
            if calls:
                with self._timed("calls"):
                    self._run_calls(calls)
            if batch:
                self._run_batch(batch)  # times its own passes (not the jobs run between)
            answered_at = time.monotonic() if jobs or calls or batch else None

    def _fail_waiting(self) -> None:
        """Hand ``SchedulerClosed`` to everyone still waiting (under the lock)."""
        closed = SchedulerClosed(CLOSED)
        for job in [*self._scores, *self._calls]:
            job.error = closed
            job.done.set()
        self._scores, self._calls = [], []
        for request in self._requests.values():
            if request.pending:
                request.pending.clear()
                request.results.put(closed)

    @contextmanager
    def _timed(self, kind: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.busy_seconds[kind] += time.perf_counter() - start

    def _take(
        self, limit: int | None = None, in_flight: dict[int, int] | None = None
    ) -> list[tuple[_Request, int, Row]]:
        """Up to ``limit`` rows (default ``max_rows``), round-robin over the requests with
        rows waiting, those with the fewest rows in the running batch (``in_flight``, by
        ``id`` of request) first; while several requests wait or run, none has more than
        ``max_rows_per_request`` rows in flight. The first request served moves to the back
        for the next time."""
        limit = self.max_rows if limit is None else limit
        in_flight = in_flight or {}
        for key in [k for k, r in self._requests.items() if r.cancel.is_set()]:
            self._requests[key].pending.clear()
        waiting = [r for r in self._requests.values() if r.pending]
        if not waiting or limit < 1:
            return []
        waiting.sort(key=lambda r: in_flight.get(id(r), 0))  # stable: keeps the rotation
        busy = {key for key, rows in in_flight.items() if rows} | set(map(id, waiting))
        cap = self.max_rows_per_request if len(busy) > 1 else self.max_rows
        held = {id(r): in_flight.get(id(r), 0) for r in waiting}
        taken: list[tuple[_Request, int, Row]] = []
        progressed = True
        while len(taken) < limit and progressed:
            progressed = False
            for request in waiting:
                if len(taken) >= limit:
                    break
                if request.pending and held[id(request)] < cap:
                    index, row = request.pending.popleft()
                    taken.append((request, index, row))
                    held[id(request)] += 1
                    progressed = True
        if taken:  # rotate: the request served first this time goes last next time
            first = next(k for k, r in self._requests.items() if r is taken[0][0])
            self._requests.move_to_end(first)
        return taken

    def _run_scores(self, jobs: list[_ScoreJob], exclusive: bool = True) -> None:
        """Score ``jobs`` in one call, inside ``exclusive`` unless the caller is (a batch
        running them between its passes)."""
        try:
            with self._exclusive() if exclusive else nullcontext():
                scores = self.decoder.score([(job.row, job.answers) for job in jobs])
            for job, found in zip(jobs, scores, strict=True):
                job.result = found
        except BaseException as err:  # handed to every waiting caller
            logger.exception("scoring failed")
            for job in jobs:
                job.error = err
        for job in jobs:
            job.done.set()

    def _run_calls(self, calls: list[_Job]) -> None:
        """Run ``calls`` in the order they came, those of one ``call_together`` function
        in one call where the first of them came."""
        together: dict[Callable, list[_TogetherCall]] = {}
        for job in calls:
            if isinstance(job, _TogetherCall):
                together.setdefault(job.fn, []).append(job)
        for job in calls:
            if not isinstance(job, _TogetherCall):
                self._run_call(job)
            elif job.fn in together:
                self._run_together(together.pop(job.fn))

    def _run_call(self, job: _Call) -> None:
        try:
            job.result = job.fn()
        except BaseException as err:  # raised in the caller's thread
            job.error = err
        job.done.set()

    def _run_together(self, jobs: list[_TogetherCall]) -> None:
        """One call for ``jobs``; if it fails, each job alone, so that the error reaches
        only the callers whose arguments cause it."""
        try:
            results = jobs[0].fn([job.args for job in jobs])
            if len(results) != len(jobs):
                raise RuntimeError(f"{len(results)} answers to {len(jobs)} calls")
            for job, result in zip(jobs, results, strict=True):
                job.result = result
        except BaseException as err:
            if len(jobs) > 1:
                logger.warning("a call for %d callers failed; calling for each alone", len(jobs))
                for job in jobs:
                    self._run_together([job])
                return
            jobs[0].error = err  # raised in the caller's thread
        for job in jobs:
            job.done.set()

    def _run_batch(self, batch: list[tuple[_Request, int, Row]]) -> None:
        """Decode ``batch``, rows of waiting requests joining it between passes while any
        wait (``_between_passes``), until no row runs."""
        in_flight: dict[int, int] = {}
        for request, _, _ in batch:
            in_flight[id(request)] = in_flight.get(id(request), 0) + 1
        aside = 0.0  # seconds spent between passes on scores and calls
        ended = False  # a row ended since the last time between passes

        def answered(k: int, answer: Decoded) -> None:  # a row ended: its request has it now
            nonlocal ended
            request, index, _ = batch[k]
            in_flight[id(request)] -= 1
            # once closed, a row stopped at its next token: its answer is cut short
            request.results.put(SchedulerClosed(CLOSED) if self._closed else (index, answer))
            ended = True

        def more(running: int) -> list[tuple[Row, threading.Event]]:
            nonlocal aside, ended
            aside += self._between_passes(self.grace_s if ended else 0.0)
            ended = False
            joining = self._joiners(running, in_flight)
            for request, _, _ in joining:
                in_flight[id(request)] = in_flight.get(id(request), 0) + 1
            batch.extend(joining)
            return [(row, request.cancel) for request, _, row in joining]

        start = time.perf_counter()
        try:
            with self._exclusive():
                self.decoder.generate(
                    [row for _, _, row in batch],
                    [request.cancel for request, _, _ in batch],
                    on_answer=answered,
                    more=more,
                )
            self.batches += 1
            self.rows_decoded += len(batch)
        except BaseException as err:  # raised in every request that had rows here
            logger.exception("a batch of %d rows failed", len(batch))
            for request in {id(r): r for r, _, _ in batch}.values():
                request.results.put(err)
        finally:
            self.busy_seconds["generate"] += time.perf_counter() - start - aside

    def _between_passes(self, grace: float) -> float:
        """Run the scores and calls waiting (the batch holds the model already, so without
        ``exclusive``), after waiting up to ``grace`` seconds for one when none waits (a
        row just ended: its request hands in its scoring next); the seconds it all took."""
        start = time.perf_counter()
        with self._cond:
            if grace > 0 and not (self._scores or self._calls):
                self._cond.wait_for(lambda: self._scores or self._calls, grace)
            jobs, self._scores = self._scores, []
            calls, self._calls = self._calls, []
        if jobs:
            with self._timed("score"):
                self._run_scores(jobs, exclusive=False)
        if calls:
            with self._timed("calls"):
                self._run_calls(calls)
        return time.perf_counter() - start

    def _joiners(self, running: int, in_flight: dict[int, int]) -> list[tuple[_Request, int, Row]]:
        """The waiting rows that join a running batch of ``running`` rows: none while
        someone else waits for the model (``contended``)."""
        try:
            if self._contended():
                return []
            with self._cond:
                return self._take(self.max_rows - running, in_flight)
        except Exception:  # never fail the batch for it: its rows would be lost
            logger.exception("choosing rows to join the batch failed")
            return []


# Every scheduler not yet collected, closed at the interpreter's exit.
_OPEN: "weakref.WeakSet[BatchScheduler]" = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for scheduler in list(_OPEN):
        scheduler.close()
