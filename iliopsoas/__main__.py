"""``python -m iliopsoas``: see :mod:`iliopsoas.cli`."""
import sys

from .cli import main

sys.exit(main())
