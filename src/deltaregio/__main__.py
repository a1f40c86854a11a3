import sys

from deltaregio.cli import main

sys.exit(main())
