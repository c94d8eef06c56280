"""k9py: a k9s-style terminal cluster explorer with a built-in Kubernetes simulator."""

__version__ = "0.1.0"
