"""The grading harness for CS231n-style deep-learning assignments."""

__version__ = "0.1.0"
