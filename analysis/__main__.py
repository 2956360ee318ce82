"""``python -m analysis``: see :mod:`analysis.cli`."""

import sys

from .outputs.cli import main

sys.exit(main())
