"""torchdojo: an autograded PyTorch-fundamentals course (Spanish first, English too)."""

__version__ = "0.1.0"
