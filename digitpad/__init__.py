"""digitpad: draw digits and watch neural networks read them.

Importing the package is cheap: torch loads only when a model is first needed, so the
window can appear before it (see gui/). ``from digitpad import Predictor`` works as usual.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import DigitpadError

__all__ = ["DigitpadError", "Predictor", "Prediction", "__version__"]


def __getattr__(name: str):
    if name in ("Predictor", "Prediction"):
        from . import inference

        return getattr(inference, name)
    raise AttributeError(f"module 'digitpad' has no attribute '{name}'")
