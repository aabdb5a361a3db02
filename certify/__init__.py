"""Sound certificates: the SDP surrogate of Theorem 5.7 and the filtering SDP of Chapter 4."""

from ._filtering import iterative_filtering as iterative_filtering
from ._network import Certification as Certification
from ._network import Network as Network
from ._network import SDPConstant as SDPConstant
from ._network import certify_network as certify_network
from ._network import exact_adversarial_margin as exact_adversarial_margin
from ._network import exact_max_increase as exact_max_increase
from ._network import forward_error as forward_error
from ._network import load_network as load_network
from ._network import margins as margins
from ._network import network as network
from ._network import ramp as ramp
from ._network import sdp_constant as sdp_constant
from ._network import theorem58_bound as theorem58_bound
from ._sdp import MAX_N as MAX_N
from ._sdp import BipartiteQ as BipartiteQ
from ._sdp import SDPResult as SDPResult
from ._sdp import as_q as as_q
from ._sdp import build_q as build_q
from ._sdp import certificate as certificate
from ._sdp import eigenvalue_bound as eigenvalue_bound
from ._sdp import hypercube_max as hypercube_max
from ._sdp import q_matrix as q_matrix
from ._sdp import solve_sdp as solve_sdp

__all__: list[str] = [
    "iterative_filtering",
    "Certification",
    "Network",
    "SDPConstant",
    "certify_network",
    "exact_adversarial_margin",
    "exact_max_increase",
    "forward_error",
    "load_network",
    "margins",
    "network",
    "ramp",
    "sdp_constant",
    "theorem58_bound",
    "MAX_N",
    "BipartiteQ",
    "SDPResult",
    "as_q",
    "build_q",
    "certificate",
    "eigenvalue_bound",
    "hypercube_max",
    "q_matrix",
    "solve_sdp",
]
