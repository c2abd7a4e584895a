"""``python -m training ...`` (and ``accelerate launch -m training ...``): see ``training.cli``."""

import os
import sys

# Before torch loads OpenMP: with the default (spinning) wait policy, two jobs sharing the
# cores (a training run and an evaluation, or the app) slow each other down many times
# over (a Stage-II step went from about 2 s to 26 s beside an evaluation on 2 cores). An
# explicit setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from training.cli import main

if __name__ == "__main__":
    sys.exit(main())
