"""The registered experiments: CPU analogs of the dissertation's experiments (``boundlab reproduce``).

Importing this package registers every experiment in :data:`boundlab.montecarlo.EXPERIMENTS`.
"""

from __future__ import annotations

from boundlab.montecarlo import EXPERIMENTS, Experiment

from . import ch2 as ch2
from . import ch3 as ch3
from . import ch4 as ch4
from . import ch5 as ch5
from . import ch5_network as ch5_network
from . import robustness as robustness

__all__ = ["EXPERIMENTS", "Experiment"]
