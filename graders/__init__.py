"""The grading harness for the convolutional-network assignment."""

__version__ = "0.1.0"
