"""k9py: a k9s-style terminal cluster explorer with a built-in Kubernetes simulator."""

__version__ = "0.1.0"

import logging as _logging

# k9py's own log (``--logFile``/``--logLevel``, ``k9py.cli.start_log``): nothing is written anywhere
# until the explorer opens it; without this, Python's last-resort handler would print warnings on
# stderr, over the UI.
_logging.getLogger("k9py").addHandler(_logging.NullHandler())
