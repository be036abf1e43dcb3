"""``python -m gui`` starts KernelScope."""

import sys

from gui.app import main

sys.exit(main())
