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
from ._base import fmt_number as fmt_number
from ._base import get as get
from ._base import register as register
from ._base import violation_message as violation_message
from ._errata import ERRATA as ERRATA
from ._errata import Erratum as Erratum
from ._errata import register_erratum as register_erratum
from ._errors import BadInput as BadInput
from ._errors import HypothesisViolated as HypothesisViolated
from ._errors import NotEvaluable as NotEvaluable
from ._chapter2 import TABLE_2_1 as TABLE_2_1
from ._chapter2 import table21_gains as table21_gains
from ._chapter5 import C_PROOF as C_PROOF
from ._chapter5 import C_VALID as C_VALID
from ._chapter5 import exact_adv_rs as exact_adv_rs
from ._chapter5 import q_matrix as q_matrix
from ._chapter5 import rademacher_abs_mean as rademacher_abs_mean
from ._chapter5 import sdp_value_bounds as sdp_value_bounds
from ._models import quadratic_model_constants as quadratic_model_constants
from ._registry import Registry as Registry
from ._registry import chapter_of as chapter_of
from ._symbols import sym as sym

__all__ = [
    "REGISTRY",
    "ERRATA",
    "AbstractBound",
    "C_PROOF",
    "C_VALID",
    "Registry",
    "TABLE_2_1",
    "chapter_of",
    "exact_adv_rs",
    "fmt_number",
    "q_matrix",
    "rademacher_abs_mean",
    "sdp_value_bounds",
    "table21_gains",
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
    "register_erratum",
    "sym",
    "violation_message",
]
