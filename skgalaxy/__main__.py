"""``python -m skgalaxy``: the same as the ``skgalaxy`` command."""

from skgalaxy.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
