import sys

from newsflow.cli import main

sys.exit(main())
