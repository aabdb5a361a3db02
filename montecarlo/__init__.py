"""Monte Carlo core: aggregators, attacks, problems, simulators, statistics and the check base.

The registered checks live in :mod:`boundlab.montecarlo.checks` and the experiments in
:mod:`boundlab.montecarlo.experiments`; importing those packages fills :data:`CHECKS` and
:data:`EXPERIMENTS`.

Aggregators are pure functions ``(*batch, m, d) -> (*batch, d)`` (workers on axis -2); attacks
take an explicit ``np.random.Generator``; simulators run a leading axis of independent trials.
"""

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
from ._attacks_adaptive import mimic as mimic
from ._attacks_adaptive import minmax as minmax
from ._attacks_adaptive import minsum as minsum
from ._attacks_adaptive import optimal_alie as optimal_alie
from ._attacks_adaptive import optimal_ipm as optimal_ipm
from ._byzpgd import WorkerOracle as WorkerOracle
from ._byzpgd import byzantine_pgd as byzantine_pgd
from ._byzpgd import cos_saddle as cos_saddle
from ._byzpgd import inexact_gd as inexact_gd
from ._byzpgd import make_oracle as make_oracle
from ._byzpgd import mixed_oracle as mixed_oracle
from ._byzpgd import quartic as quartic
from ._byzpgd import thm43_parameters as thm43_parameters
from ._byzpgd import thm44_parameters as thm44_parameters
from ._byzpgd import uniform_ball as uniform_ball
from ._checks import BOUND_SCALE as BOUND_SCALE
from ._checks import CHECKS as CHECKS
from ._checks import CHUNK as CHUNK
from ._checks import Check as Check
from ._checks import Choice as Choice
from ._checks import ClaimParam as ClaimParam
from ._checks import MCResult as MCResult
from ._checks import RegistryBound as RegistryBound
from ._checks import assess_at as assess_at
from ._checks import check as check
from ._checks import chunk_rngs as chunk_rngs
from ._checks import chunk_seed as chunk_seed
from ._checks import combine as combine
from ._checks import register_check as register_check
from ._checks import registry_bound as registry_bound
from ._checks import scale_bound as scale_bound
from ._checks import timed as timed
from ._diversity import as_gradient_matrix as as_gradient_matrix
from ._diversity import b_drop as b_drop
from ._diversity import conflict_graph_bound as conflict_graph_bound
from ._diversity import differential_diversity as differential_diversity
from ._diversity import diversity as diversity
from ._diversity import glm_diversity as glm_diversity
from ._diversity import glm_lower_bound as glm_lower_bound
from ._diversity import glm_lower_bound_normalized as glm_lower_bound_normalized
from ._diversity import mechanism_bounds as mechanism_bounds
from ._diversity import slack_delta as slack_delta
from ._experiments import EXPERIMENTS as EXPERIMENTS
from ._experiments import Experiment as Experiment
from ._experiments import register_experiment as register_experiment
from ._experiments import verdict_record as verdict_record
from ._frames import results_frame as results_frame
from ._noise_scale import NoiseScale as NoiseScale
from ._noise_scale import gradient_noise_scale as gradient_noise_scale
from ._noise_scale import iter_gradient_batches as iter_gradient_batches
from ._plugins import AGGREGATORS as AGGREGATORS
from ._plugins import ENTRY_POINT_GROUPS as ENTRY_POINT_GROUPS
from ._plugins import PROBLEMS as PROBLEMS
from ._plugins import Aggregator as Aggregator
from ._plugins import Attack as Attack
from ._plugins import Plugin as Plugin
from ._plugins import PopulationProblem as PopulationProblem
from ._plugins import available as available
from ._plugins import bind_byzantine as bind_byzantine
from ._plugins import plugin_name as plugin_name
from ._plugins import register_aggregator as register_aggregator
from ._plugins import register_aggregators as register_aggregators
from ._plugins import register_attack as register_attack
from ._plugins import register_problem as register_problem
from ._plugins import resolve as resolve
from ._plugins import resolve_aggregator as resolve_aggregator
from ._plugins import resolve_attack as resolve_attack
from ._plugins import resolve_problem as resolve_problem
from ._problems import GaussianMean as GaussianMean
from ._problems import ModelAN as ModelAN
from ._problems import ModelE as ModelE
from ._problems import ModelG as ModelG
from ._problems import ModelR as ModelR
from ._problems import QuadraticProblem as QuadraticProblem
from ._problems import SoftmaxRegression as SoftmaxRegression
from ._rademacher import adversarial_margins as adversarial_margins
from ._rademacher import downsample2x2 as downsample2x2
from ._rademacher import exact_sup_brute as exact_sup_brute
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
from ._rademacher import upsample2x2 as upsample2x2
from ._rademacher import zero_pad as zero_pad
from ._robust import PRE_AGGREGATORS as PRE_AGGREGATORS
from ._robust import ROBUST_AGGREGATORS as ROBUST_AGGREGATORS
from ._robust import AggregatorStage as AggregatorStage
from ._robust import PreAggregator as PreAggregator
from ._robust import arc as arc
from ._robust import bucketing as bucketing
from ._robust import caf as caf
from ._robust import centered_clipping as centered_clipping
from ._robust import dnc as dnc
from ._robust import mda as mda
from ._robust import meamed as meamed
from ._robust import monna as monna
from ._robust import nnm as nnm
from ._robust import smea as smea
from ._robust import static_clipping as static_clipping
from ._sgd import GLMProblem as GLMProblem
from ._sgd import Mechanism as Mechanism
from ._sgd import PointsProblem as PointsProblem
from ._sgd import Replacement as Replacement
from ._sgd import SoftmaxProblem as SoftmaxProblem
from ._sgd import apply_mechanism as apply_mechanism
from ._sgd import minibatch_sgd as minibatch_sgd
from ._simulators import GDResult as GDResult
from ._simulators import OneRoundResult as OneRoundResult
from ._simulators import aggregator_for as aggregator_for
from ._simulators import one_round as one_round
from ._simulators import robust_gd as robust_gd
from ._stats import clopper_pearson as clopper_pearson
from ._stats import loglog_slope as loglog_slope
from ._stats import slope_series as slope_series
from ._stats import t_interval as t_interval

__all__ = [
    "ATTACKS",
    "AttackContext",
    "CHECKS",
    "Check",
    "EXPERIMENTS",
    "Experiment",
    "GDResult",
    "GaussianMean",
    "MCResult",
    "ModelAN",
    "ModelE",
    "ModelG",
    "ModelR",
    "OneRoundResult",
    "QuadraticProblem",
    "SoftmaxRegression",
    "aggregator_for",
    "alie",
    "apply_attack",
    "chunk_rngs",
    "clopper_pearson",
    "gaussian",
    "geometric_median",
    "inner_product",
    "inside_range",
    "krum",
    "label_flip",
    "large_value",
    "loglog_slope",
    "mean",
    "median",
    "multi_krum",
    "nan_inf",
    "one_round",
    "one_sided_shift",
    "random_labels",
    "register_check",
    "register_experiment",
    "verdict_record",
    "robust_gd",
    "sign_flip",
    "spectral_filter",
    "stall",
    "t_interval",
    "trimmed_mean",
    "diversity",
    "differential_diversity",
    "glm_diversity",
    "mechanism_bounds",
    "minibatch_sgd",
    "adversarial_margins",
    "expected_sum_norm",
    "rademacher_adv_linear",
    "rademacher_linear",
    "rademacher_multiclass",
    "rademacher_pair",
    "thm5_2_sandwich",
    "thm5_3_bound",
    "thm5_4_bound",
    "thm5_5_bound",
    "thm5_8_bound",
    "BOUND_SCALE",
    "Choice",
    "ClaimParam",
    "registry_bound",
    "RegistryBound",
    "as_gradient_matrix",
    "slack_delta",
    "assess_at",
    "check",
    "scale_bound",
    "timed",
    "WorkerOracle",
    "byzantine_pgd",
    "cos_saddle",
    "inexact_gd",
    "make_oracle",
    "mixed_oracle",
    "quartic",
    "thm43_parameters",
    "thm44_parameters",
    "uniform_ball",
    "b_drop",
    "conflict_graph_bound",
    "glm_lower_bound",
    "glm_lower_bound_normalized",
    "exact_sup_brute",
    "downsample2x2",
    "upsample2x2",
    "zero_pad",
    "GLMProblem",
    "Mechanism",
    "PointsProblem",
    "Replacement",
    "SoftmaxProblem",
    "apply_mechanism",
    "slope_series",
    "chunk_seed",
    "combine",
    "CHUNK",
    "NoiseScale",
    "gradient_noise_scale",
    "iter_gradient_batches",
    "AGGREGATORS",
    "PROBLEMS",
    "ENTRY_POINT_GROUPS",
    "Aggregator",
    "Attack",
    "Plugin",
    "PopulationProblem",
    "available",
    "bind_byzantine",
    "plugin_name",
    "register_aggregator",
    "register_aggregators",
    "register_attack",
    "register_problem",
    "resolve",
    "resolve_aggregator",
    "resolve_attack",
    "resolve_problem",
    "PRE_AGGREGATORS",
    "ROBUST_AGGREGATORS",
    "AggregatorStage",
    "PreAggregator",
    "arc",
    "bucketing",
    "caf",
    "centered_clipping",
    "dnc",
    "mda",
    "meamed",
    "monna",
    "nnm",
    "smea",
    "static_clipping",
    "mimic",
    "minmax",
    "minsum",
    "optimal_alie",
    "optimal_ipm",
]
__all__ += ["results_frame"]
