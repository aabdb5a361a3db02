"""boundlab: the theorems of "Towards More Scalable and Robust Machine Learning" (D. Yin) as
calculators, Monte Carlo checks, certificates and reports.

>>> import boundlab
>>> round(float(boundlab.bounds.get("thm3.8").evaluate(n=1000, m=1000, d=2, alpha=0.05, D=2, L_hat=2,
...                                                      V=3**0.5, S=1.5957691216057308)), 7)
0.0620161
"""

from importlib.metadata import PackageNotFoundError, version

from boundlab import bounds as bounds  # cheap: the registry loads its chapters on first use

try:
    __version__ = version("boundlab")
except PackageNotFoundError:  # pragma: no cover (running from a source tree without installing)
    __version__ = "0+unknown"

__all__ = ["bounds", "__version__"]
