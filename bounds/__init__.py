"""The theorem registry: every numbered result of the dissertation as a calculator.

>>> from boundlab.bounds import get
>>> thm = get("thm3.1")
>>> sorted(thm.check(n=1000, m=1000, d=2, alpha=0.05, D=2, L_hat=2, V=3**0.5, S=1.6,
...                  L_F=1, lambda_F=1, T=30, r0=1).items())[0]
('Assumption 3.1: smoothness of f and F (L_k, L, L_F)', None)
"""

from . import _chapter2 as _chapter2
from . import _chapter3 as _chapter3
from . import _chapter4 as _chapter4
from . import _chapter5 as _chapter5
from ._base import REGISTRY as REGISTRY
from ._base import AbstractBound as AbstractBound
from ._base import AbstractItem as AbstractItem
from ._base import AbstractStatement as AbstractStatement
from ._base import Evaluation as Evaluation
from ._base import Hypothesis as Hypothesis
from ._base import Param as Param
from ._base import RateTerm as RateTerm
from ._base import Solution as Solution
from ._base import get as get
from ._base import register as register
from ._errata import ERRATA as ERRATA
from ._errata import Erratum as Erratum
from ._errors import BadInput as BadInput
from ._errors import HypothesisViolated as HypothesisViolated
from ._errors import NotEvaluable as NotEvaluable
from ._models import quadratic_model_constants as quadratic_model_constants

__all__ = [
    "REGISTRY",
    "ERRATA",
    "AbstractBound",
    "AbstractItem",
    "AbstractStatement",
    "BadInput",
    "Erratum",
    "Evaluation",
    "Hypothesis",
    "HypothesisViolated",
    "NotEvaluable",
    "Param",
    "RateTerm",
    "Solution",
    "get",
    "quadratic_model_constants",
    "register",
]
