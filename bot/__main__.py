"""`python -m bot` does what the `mutual-aid-bot` command does."""

import sys

from bot.runtime.cli import main

sys.exit(main())
