"""Allow `python -m carelab`."""

import sys

from carelab.cli import main

sys.exit(main())
