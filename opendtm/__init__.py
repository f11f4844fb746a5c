"""opendtm: an open-source Displacement Tracking Matrix."""

__version__ = "0.1.0"
