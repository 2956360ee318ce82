"""Quantitative reading of Chinese policy language.

The pipeline runs one way, one module per stage:
corpus → tokens → counts → measures → clusters → figures.
"""

__version__ = "0.1.0"
