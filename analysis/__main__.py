"""``python -m analysis``: see :mod:`analysis.outputs.cli`."""

import sys

from .outputs.cli import main

sys.exit(main())
