"""Several CareLab servers behind a load balancer on one PostgreSQL, on this machine.

`make run-cluster` (`python -m carelab.cluster`) starts it; the browser failover test and
`bench/workshop_load.py --servers N` use `Cluster` from `carelab.cluster.run`. This package
imports only the standard library at the top, so `.ci/run` can start PostgreSQL with the
system Python before the virtual environment exists.
"""
