"""OpenMP's thread policy for the app's processes, set on import, before torch loads.

Import this module before anything that imports torch (OpenMP reads its settings once,
when torch loads it): ``app.py`` does, and so do the benchmarks that time the app's path.

OpenMP threads spin for a while after each parallel region before they sleep. Spinning
about 0.1 ms (``GOMP_SPINCOUNT=10000``, in spins, about 100,000 a millisecond) keeps both
cores in use through one forward pass, whose ops follow each other within microseconds.
PASSIVE (no spinning) wakes a sleeping thread for every op, so the small matrix products
of decoding a few tokens then run nearly as if on one core (docs/benchmarks.md, "Load": on 2 AVX2
cores, 20 writers got about 1.5x the revisions per second with spinning). OpenMP's own
default (3 ms of spinning) makes other jobs on the cores wait.

An operator who sets ``OMP_WAIT_POLICY`` or ``GOMP_SPINCOUNT`` (to any value, this one
included) chooses for the app and its worker alike, and this module changes nothing.
"""

import os

SPIN_COUNT = "10000"

# Whether the policy is this module's: decided once, from the environment the process
# started with.
CHOSEN_HERE = not {"OMP_WAIT_POLICY", "GOMP_SPINCOUNT"} & os.environ.keys()
if CHOSEN_HERE:
    os.environ["GOMP_SPINCOUNT"] = SPIN_COUNT

# A second job on the app's cores (the training worker, as `python -m training` does):
# no spinning, where the policy is this module's; the operator's otherwise.
SECOND_JOB: dict[str, str] = (
    {"OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": "0"} if CHOSEN_HERE else {}
)
