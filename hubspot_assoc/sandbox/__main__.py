"""``python -m hubspot_assoc.sandbox --port 8080``: run the sandbox until Ctrl-C."""

import sys

from hubspot_assoc.sandbox.cli import main

if __name__ == "__main__":
    sys.exit(main())
