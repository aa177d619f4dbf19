"""A throwaway PostgreSQL cluster for the tests: Debian's `postgresql`, in a temporary folder.

`.ci/run` starts one (`python -m tests.postgres_server start FOLDER`, which prints the URL
for CARELAB_TEST_POSTGRES) and stops it when the run ends. The work is done by
`carelab.cluster.postgres_local` (as root, the cluster runs as the `postgres` user).
"""

from __future__ import annotations

import sys
from pathlib import Path

from carelab.cluster.postgres_local import start, stop

__all__ = ["start", "stop"]

if __name__ == "__main__":
    command, where = sys.argv[1], Path(sys.argv[2])
    if command == "start":
        print(start(where))
    elif command == "stop":
        stop(where)
    else:
        raise SystemExit("usage: python -m tests.postgres_server start|stop FOLDER")
