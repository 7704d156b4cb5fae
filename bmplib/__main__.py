"""``python -m bmplib``: the same as the ``bmplib`` console script."""

import sys

from bmplib.cli import main

sys.exit(main())
