"""glutewake: a sitting-break reminder that wakes your glutes and stretches your hip flexors."""

__version__ = "0.1.0"
