"""k9py: a k9s-style terminal cluster explorer with a built-in Kubernetes simulator."""

__version__ = "0.1.0"

import logging as _logging

from k9py import native as _native

_native.guard()  # the simulator's compiled core, or its source when the two differ (k9py/native.py)

# k9py's own log (``--logFile``/``--logLevel``, ``k9py.cli.start_log``): nothing is written anywhere
# until the explorer opens it; without this, Python's last-resort handler would print warnings on
# stderr, over the UI.
_logging.getLogger("k9py").addHandler(_logging.NullHandler())
