"""Allow `python -m carelab.cluster` (what `make run-cluster` runs)."""

import sys

from carelab.cluster.run import main

sys.exit(main())
