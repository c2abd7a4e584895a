from storage.models import RUN_STATUSES
from storage.run_status import ACTIVE, FINISHED, RunStatus


def test_the_statuses_are_the_stored_words_active_then_finished():
    assert RUN_STATUSES == ("queued", "running", "succeeded", "failed", "cancelled")
    assert all(type(s) is str for s in RUN_STATUSES)  # the check constraint's text
    assert tuple(RunStatus) == ACTIVE + FINISHED
    assert RunStatus.CANCELLED == "cancelled" and f"{RunStatus.QUEUED}" == "queued"
    assert "failed" in FINISHED and "running" in ACTIVE and "running" not in FINISHED
