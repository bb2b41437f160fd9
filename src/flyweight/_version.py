"""The flyweight release number, kept in one place (read by packaging and at run time)."""

__version__ = "0.1.0"
