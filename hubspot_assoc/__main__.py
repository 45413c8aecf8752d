"""``python -m hubspot_assoc``: the ``hubspot-assoc`` command line."""

import sys

from hubspot_assoc.cli import main

if __name__ == "__main__":
    sys.exit(main())
