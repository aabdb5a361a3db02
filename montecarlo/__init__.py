"""Monte Carlo simulation: aggregators, attacks, problems, simulators, checks and experiments.

Aggregators are pure functions ``(*batch, m, d) -> (*batch, d)`` (workers on axis -2); attacks
take an explicit ``np.random.Generator``; simulators run a leading axis of independent trials.
"""

from . import _checks_ch2 as _checks_ch2
from . import _checks_ch3 as _checks_ch3
from . import _checks_ch4 as _checks_ch4
from . import _checks_cert as _checks_cert
from . import _checks_ch5 as _checks_ch5
from . import _checks_gd as _checks_gd
from ._aggregators import geometric_median as geometric_median
from ._aggregators import krum as krum
from ._aggregators import mean as mean
from ._aggregators import median as median
from ._aggregators import multi_krum as multi_krum
from ._aggregators import spectral_filter as spectral_filter
from ._aggregators import trimmed_mean as trimmed_mean
from ._attacks import ATTACKS as ATTACKS
from ._attacks import AttackContext as AttackContext
from ._attacks import alie as alie
from ._attacks import apply_attack as apply_attack
from ._attacks import gaussian as gaussian
from ._attacks import inner_product as inner_product
from ._attacks import inside_range as inside_range
from ._attacks import label_flip as label_flip
from ._attacks import large_value as large_value
from ._attacks import nan_inf as nan_inf
from ._attacks import one_sided_shift as one_sided_shift
from ._attacks import random_labels as random_labels
from ._attacks import sign_flip as sign_flip
from ._attacks import stall as stall
from ._checks import CHECKS as CHECKS
from ._checks import Check as Check
from ._checks import MCResult as MCResult
from ._checks import chunk_rngs as chunk_rngs
from ._checks import register_check as register_check
from ._checks import verify as verify
from ._experiments import EXPERIMENTS as EXPERIMENTS
from ._experiments import Experiment as Experiment
from ._experiments import register_experiment as register_experiment
from ._diversity import differential_diversity as differential_diversity
from ._diversity import diversity as diversity
from ._diversity import glm_diversity as glm_diversity
from ._diversity import mechanism_bounds as mechanism_bounds
from ._problems import GaussianMean as GaussianMean
from ._problems import ModelAN as ModelAN
from ._problems import ModelE as ModelE
from ._problems import ModelG as ModelG
from ._problems import ModelR as ModelR
from ._problems import QuadraticProblem as QuadraticProblem
from ._problems import SoftmaxRegression as SoftmaxRegression
from ._rademacher import adversarial_margins as adversarial_margins
from ._rademacher import expected_sum_norm as expected_sum_norm
from ._rademacher import rademacher_adv_linear as rademacher_adv_linear
from ._rademacher import rademacher_linear as rademacher_linear
from ._rademacher import rademacher_multiclass as rademacher_multiclass
from ._rademacher import rademacher_pair as rademacher_pair
from ._rademacher import thm5_2_sandwich as thm5_2_sandwich
from ._rademacher import thm5_3_bound as thm5_3_bound
from ._rademacher import thm5_4_bound as thm5_4_bound
from ._rademacher import thm5_5_bound as thm5_5_bound
from ._rademacher import thm5_8_bound as thm5_8_bound
from ._sgd import minibatch_sgd as minibatch_sgd
from ._simulators import GDResult as GDResult
from ._simulators import OneRoundResult as OneRoundResult
from ._simulators import aggregator_for as aggregator_for
from ._simulators import one_round as one_round
from ._simulators import robust_gd as robust_gd
from ._stats import clopper_pearson as clopper_pearson
from ._stats import loglog_slope as loglog_slope
from ._stats import t_interval as t_interval

__all__ = [
    "ATTACKS", "AttackContext", "CHECKS", "Check", "EXPERIMENTS", "Experiment", "GDResult", "GaussianMean",
    "MCResult", "ModelAN", "ModelE", "ModelG", "ModelR", "OneRoundResult", "QuadraticProblem",
    "SoftmaxRegression", "aggregator_for", "alie", "apply_attack", "chunk_rngs", "clopper_pearson", "gaussian",
    "geometric_median", "inner_product", "inside_range", "krum", "label_flip", "large_value", "loglog_slope",
    "mean", "median", "multi_krum", "nan_inf", "one_round", "one_sided_shift", "random_labels", "register_check",
    "register_experiment", "robust_gd", "sign_flip", "spectral_filter", "stall", "t_interval", "trimmed_mean",
    "verify", "diversity", "differential_diversity", "glm_diversity", "mechanism_bounds", "minibatch_sgd",
    "adversarial_margins", "expected_sum_norm", "rademacher_adv_linear", "rademacher_linear",
    "rademacher_multiclass", "rademacher_pair", "thm5_2_sandwich", "thm5_3_bound", "thm5_4_bound", "thm5_5_bound",
    "thm5_8_bound",
]
