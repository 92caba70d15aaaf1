"""``python -m ops <command>``: see :mod:`ops.cli`."""

from ops.cli import main

raise SystemExit(main())
