"""The ``cs231n`` package of the convolutional-network assignment."""
