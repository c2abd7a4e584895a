"""The training worker as a child process of the app, restarted if it dies.

``python app.py`` starts one worker (``python -m training.worker``) beside the web process,
so a single command gives a working Admin tab: the web process only queues jobs, the worker
trains. If the worker exits (a crash, an out-of-memory kill, ``kill -9``), it is started
again after a pause; at start it marks failed the runs its predecessor left running, so the
Admin tab never shows a dead run as live. Stopping the app stops the worker (SIGTERM: the
running job is marked failed, the active adapter is untouched).

    supervisor = WorkerSupervisor(db_url, runs_dir, home).start()
    ...
    supervisor.stop()
"""

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("training.supervisor")


@dataclass
class WorkerSupervisor:
    """Keeps one ``training.worker`` process running.

    Attributes:
        db_url: the app's database.
        runs_dir: where run folders and evaluation reports go.
        home: ITUNE_HOME (the worker converts the embedded model there once).
        restart_delay: seconds between a worker's exit and its restart; doubles after each
            quick exit (under a minute) up to ``max_delay``, so a worker that cannot start
            does not spin.
        stale_after: the worker's ``--stale-after`` (seconds without a heartbeat).
        env: environment variables set for the worker on top of this process's (the
            app's OpenMP settings for a second job on its cores).
    """

    db_url: str
    runs_dir: Path
    home: Path
    restart_delay: float = 2.0
    max_delay: float = 60.0
    stale_after: float = 300.0
    env: Mapping[str, str] = field(default_factory=dict)
    _process: subprocess.Popen | None = field(default=None, init=False, repr=False)
    _stopping: threading.Event = field(default_factory=threading.Event, init=False, repr=False)
    _thread: threading.Thread | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    restarts: int = field(default=0, init=False)

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "training.worker",
            "--runs-dir",
            str(self.runs_dir),
            "--home",
            str(self.home),
            "--stale-after",
            str(self.stale_after),
            "--parent-pid",
            str(os.getpid()),
        ]

    @property
    def pid(self) -> int | None:
        process = self._process
        return None if process is None or process.poll() is not None else process.pid

    def start(self) -> "WorkerSupervisor":
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)
        self._thread.start()
        return self

    def _spawn(self) -> subprocess.Popen:
        # The database URL goes through the environment, not the command line: a password
        # in it would show in every process list.
        env = {**os.environ, **self.env, "ITUNE_DB_URL": self.db_url}
        process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, env=env)
        log.info("training worker started (pid %d)", process.pid)
        return process

    def _watch(self) -> None:
        delay = self.restart_delay
        while not self._stopping.is_set():
            began = time.monotonic()
            with self._lock:  # stop() either sees this process or stops us spawning it
                if self._stopping.is_set():
                    return
                self._process = self._spawn()
            code = self._process.wait()
            if self._stopping.is_set():
                return
            if time.monotonic() - began > 60.0:
                delay = self.restart_delay  # it ran a while: not a start-up failure loop
            self.restarts += 1
            log.warning("training worker exited (code %s); restarting in %.0f s", code, delay)
            if self._stopping.wait(delay):
                return
            delay = min(delay * 2, self.max_delay)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the worker (SIGTERM, then SIGKILL after ``timeout``) and stop watching."""
        with self._lock:
            self._stopping.set()
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("training worker did not stop in %.0f s; killing it", timeout)
                process.kill()
                process.wait()
        if self._thread is not None:
            self._thread.join(timeout)
