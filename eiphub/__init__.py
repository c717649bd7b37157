"""EIP Hub: information system for Vietnam's eco-industrial parks."""

__version__ = "0.1.0"
