"""Monte Carlo simulation: aggregators, attacks, problems, simulators, checks and experiments."""

from ._experiments import EXPERIMENTS as EXPERIMENTS
from ._experiments import Experiment as Experiment
from ._experiments import register_experiment as register_experiment

__all__ = ["EXPERIMENTS", "Experiment", "register_experiment"]
