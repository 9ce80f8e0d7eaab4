"""gridmuster: discrete-event simulation of emergency mobilisation in grid-governed towns."""

__version__ = "0.1.0"
