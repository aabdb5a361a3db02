"""Every invalid input a user can type: one row each, the exit code and the one line it must print.

Rows are ``(argv, code, fragment)``. ``{dir}`` in an argument or fragment stands for a folder of
prepared files (see :func:`files`). Exit 2 (bad input) must come with exactly one line on stderr
naming the argument; exit 3 (a hypothesis violated) must print the violated condition with finite
sides; nothing prints a traceback.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from boundlab.cli import main

MODEL_R = ["n=1000", "m=1000", "d=2", "alpha=0.05", "D=2", "L_hat=2", "V=1.7320508075688772", "S=1.5957691216057308"]
NO_N = MODEL_R[1:]


def without(*names: str) -> list[str]:
    """MODEL_R without the named parameters."""
    return [a for a in MODEL_R if a.split("=")[0] not in names]


SWEEPS = {
    "seed.toml": 'seed = -1\n[[check]]\nname = "cor3.1/edge"\ntrials = 10\n',
    "name.toml": '[[check]]\nname = "nosuch"\ntrials = 10\n',
    "trials.toml": '[[check]]\nname = "cor3.1/edge"\ntrials = 0\n',
    "chunks.toml": '[[check]]\nname = "cor3.1/edge"\ntrials = 10\nchunks = 0\n',
    "key.toml": "bogus = 1\n",
    "syntax.toml": "[[check]\nname =",
    "empty.toml": "",
    "grid.toml": '[[check]]\nname = "cor3.1/edge"\ntrials = 10\ngrid = {n = {log = [0, 10, 3]}}\n',
    "gridkind.toml": '[[check]]\nname = "cor3.1/edge"\ntrials = 10\ngrid = {n = {cubic = [1, 10, 3]}}\n',
    "gridempty.toml": '[[check]]\nname = "cor3.1/edge"\ntrials = 10\ngrid = {n = []}\n',
    "option.toml": '[[check]]\nname = "cor3.1/edge"\ntrials = 10\noptions = {bound_scale = -1}\n',
    "unknown.toml": '[[check]]\nname = "cor3.1/edge"\ntrials = 10\ngrid = {zeta = [1, 2]}\n',
    "jobs.toml": '[backend]\njobs = 0\n[[check]]\nname = "cor3.1/edge"\ntrials = 10\n',
    "combine.toml": '[[check]]\nname = "cor3.1/edge"\ntrials = 10\ncombine = "cross"\n',
    "zip.toml": '[[check]]\nname = "cor3.1/edge"\ntrials = 10\ncombine = "zip"\ngrid = {n = [11, 13], t = [2]}\n',
    "experiment.toml": '[[experiment]]\nname = "nosuch"\n',
    "seeds.toml": '[[experiment]]\nname = "fig2.1"\nseeds = [-1]\n',
    "binary.toml": None,  # bytes that are not UTF-8
}

BAD: list[tuple[list[str], int, str]] = [
    # -- the cases of issue 17 ------------------------------------------------------------------------
    (["verify", "cor3.1", "radius_scale=nan"], 2, "option (radius_scale) must be a parameter of cor3.1"),
    (["verify", "cor3.1", "radius_scale=-1"], 2, "option (radius_scale) must be a parameter of cor3.1"),
    (["verify", "cor3.1", "bound_scale=nan"], 2, "bound_scale (nan) must be finite"),
    (["verify", "cor3.1", "bound_scale=-1"], 2, "bound_scale (-1) must be in (0, inf)"),
    (["verify", "cor3.1", "--trials", "100", "bound_scale=0"], 2, "bound_scale (0) must be in (0, inf)"),
    (["verify", "cor3.1", "--trials", "100", "bound_scale=inf"], 2, "bound_scale (inf) must be finite"),
    (["verify", "cor3.1", "--trials", "100", "radius_scale=0.1"], 2, "option (radius_scale) must be a parameter"),
    (["eval", "thm3.8", "n=1e308", *NO_N], 3, "lhs_3_2 = 1.27903 >= 1/2 = 1/2"),
    (["eval", "thm3.8", "n=1e400", *NO_N], 2, "n (inf) must be finite"),
    (["eval", "eq3.4", "eps=1e-320"], 2, "must keep value within float64 range"),
    (
        ["eval", "thm3.13", "n=100", "M_theta=1", "sigma_tilde=1", "varsigma=1", "nu2=1", "nu3=1", "theta=1e-300"],
        2,
        "theta (1e-300) must keep value within float64 range",
    ),
    (
        ["eval", "lem3.4", "lambda_F=1e-300", "pF_norm=1", "U_sq=1e-10", "v_sq=1e-10"],
        2,
        "lambda_F (1e-300) must keep value within float64 range",
    ),
    (["solve", "thm3.8", "--for", "n", "--target", "1e-300", *NO_N], 3, "gives Delta <= 1e-300 with every hypothesis"),
    (
        ["solve", "thm3.8", "--for", "n", "--target", "0.05", "n=5", *NO_N],
        2,
        "n (5) must not be given when solving for n (Theorem 3.8)",
    ),
    (
        ["solve", "eq3.2", "--for", "n", "--nonvacuous", "n=5", "m=1000", "d=2", "alpha=0", "L_hat=2", "D=2", "S=480"],
        2,
        "n (5) must not be given when solving for n",
    ),
    (["certify", "sdp", "--matrix", "{dir}/huge.npy"], 2, "Q (max |entry| 1e+308) must have entries of magnitude"),
    (["certify", "sdp", "--matrix", "{dir}/garbage.npy"], 2, "does not start with the .npy magic string"),
    (["sweep", "{dir}"], 2, "config ({dir}) must be a TOML file, not a directory"),
    (["errata", "--chapter", "99"], 2, "chapter (99) must be one of 2, 3, 4, 5"),
    (["list", "--kind", "nosuch"], 2, "kind (nosuch) must be one of algorithm, assumption, definition, exact"),
    (["list", "--chapter", "99"], 2, "chapter (99) must be one of 2, 3, 4, 5"),
    (["list", "--chapter", "0"], 2, "chapter (0) must be one of 2, 3, 4, 5"),
    (["list", "--chapter", "three"], 2, "argument --chapter: invalid int value: 'three'"),
    (["errata", "--chapter", "1"], 2, "chapter (1) must be one of 2, 3, 4, 5"),
    # -- eval ------------------------------------------------------------------------------------------
    (["eval"], 2, "the following arguments are required: id"),
    (["eval", "nosuch"], 2, "id (nosuch) must be a registered result"),
    (["eval", "asm3.1"], 2, "id (asm3.1) must be an evaluable result"),
    (["eval", "thm3.8", "--quantity"], 2, "argument --quantity: expected one argument"),
    (["eval", "thm3.8", *MODEL_R, "--precision", "5"], 2, "precision (5) must be between 16 and 1000 digits"),
    (["eval", "thm3.8", *MODEL_R, "--precision", "5000"], 2, "precision (5000) must be between 16 and 1000"),
    (["eval", "thm3.8", *MODEL_R, "--precision", "x"], 2, "argument --precision: invalid int value: 'x'"),
    (["eval", "thm3.8", *without("S"), "S=nan"], 2, "S (nan) must be finite"),
    (["eval", "thm3.8", *without("S"), "S=-inf"], 2, "S (-inf) must be finite"),
    (["eval", "thm3.8", *without("V"), "V=-1"], 2, "V (-1) must be in (0, inf)"),
    (["eval", "thm3.8", *without("V"), "V=0"], 2, "V (0) must be in (0, inf)"),
    (["eval", "thm3.8", *without("d"), "d=2.5"], 2, "d (2.5) must be an integer in [1, inf)"),
    (["eval", "thm3.8", *without("d"), "d=0"], 2, "d (0) must be an integer in [1, inf)"),
    (["eval", "thm3.8", *without("m"), "m=0"], 2, "m (0) must be an integer in [1, inf)"),
    (["eval", "thm3.8", *without("D"), "D=0"], 2, "D (0) must be in (0, inf)"),
    (["eval", "thm3.8", *without("L_hat"), "L_hat=-2"], 2, "L_hat (-2) must be"),
    (["eval", "thm3.8", *without("alpha"), "alpha=0.5"], 2, "alpha (0.5) must be in [0, 1/2)"),
    (["eval", "thm3.8", *without("alpha"), "alpha=nan"], 2, "alpha (nan) must be finite"),
    (["eval", "thm3.8", *NO_N, "n=0:1e2:3"], 2, "n range (0:1e2:3) must have positive finite end points"),
    (["eval", "thm3.8", *NO_N, "n=1:inf:3"], 2, "n range (1:inf:3) must have positive finite end points"),
    (["eval", "thm3.8", *NO_N, "n=1:1e2:2.5"], 2, "n range count (2.5) must be an integer >= 1"),
    (["eval", "thm3.8", *NO_N, "n=1:1e2:x"], 2, "n (x) must be a number"),
    (["eval", "thm3.8", *NO_N, "n=,"], 2, "n (,) must list at least one number"),
    (["eval", "thm3.8", *NO_N, "n="], 2, "n () must be a number"),
    (["eval", "thm3.8", *NO_N, "n=1:2"], 2, "n (1:2) must be a number"),
    (["eval", "thm3.8", *NO_N, "n=1:2:3:4"], 2, "n (1:2:3:4) must be a number"),
    (["eval", "thm3.8", *NO_N, "n=0x10"], 2, "n (0x10) must be a number"),
    (["eval", "thm3.8", *NO_N, "n=1e3,abc"], 2, "n (abc) must be a number"),
    (["eval", "thm3.8", *NO_N, "n=1e3,nan"], 2, "n (nan) must be finite"),
    (["eval", "thm3.8", *NO_N, "n=1e3,0"], 2, "n (0) must be an integer in [1, inf)"),
    (["eval", "thm3.8", *MODEL_R, "=5"], 2, "argument (=5) must name a parameter before '='"),
    (["eval", "thm3.8", *MODEL_R, "--variant", "printed"], 2, "variant (printed) must be one of"),
    (["eval", "lem3.4"], 2, "parameter (lambda_F) is required"),
    (["eval", "thm3.8", *NO_N, "n=1:10:2e6"], 2, "n range count (2e6) must be at most 1000000 points"),
    (
        ["eval", "thm3.8", *without("alpha", "V"), "alpha=1e-3:0.4:2000", "V=1:2:1000"],
        2,
        "grid (2000 x 1000 = 2000000 points) must have at most 1000000 points",
    ),
    (["eval", "thm3.8", "--json", *MODEL_R, "--quantity", "X", "eps=0.5"], 2, "eps (0.5) must be in (0, 1/2)"),
    # -- solve -----------------------------------------------------------------------------------------
    (["solve", "thm3.8", "--target", "0.1", *NO_N], 2, "the following arguments are required: --for"),
    (["solve", "thm3.8", "--for", "n", "--target", "nan", *NO_N], 2, "target (nan) must be a finite number"),
    (["solve", "thm3.8", "--for", "n", "--target", "inf", *NO_N], 2, "target (inf) must be a finite number"),
    (["solve", "thm3.8", "--for", "n", "--target", "x", *NO_N], 2, "argument --target: invalid float value: 'x'"),
    (
        ["solve", "thm3.8", "--for", "n", "--target", "0.1", *without("n", "m"), "m=1,2"],
        2,
        "m ([1.0, 2.0]) must be a single number when solving",
    ),
    (
        ["solve", "thm3.8", "--for", "n", "--target", "0.1", "--quantity", "nope", *NO_N],
        2,
        "quantity (nope) must be one of X, lhs_3_2, C_eps, Delta, prob",
    ),
    (["solve", "def3.1", "--for", "n", "--target", "0.1"], 2, "id (def3.1) must be an evaluable result"),
    (["solve", "nosuch", "--for", "n", "--target", "0.1"], 2, "id (nosuch) must be a registered result"),
    (
        ["solve", "thm3.8", "--for", "alpha", "--target", "0.1", *without("alpha"), "alpha=0.1"],
        2,
        "alpha (0.1) must not be given when solving for alpha",
    ),
    (["solve", "thm3.8", "--for", "n", "--target", "0.1", *without("n", "V"), "V=-1"], 2, "V (-1) must be in (0, inf)"),
    # -- show / list / errata / reproduce / report / docs ---------------------------------------------
    (["show"], 2, "the following arguments are required: id"),
    (["show", "thm3.99"], 2, "id (thm3.99) must be a registered result"),
    (["show", ""], 2, "id () must be a registered result"),
    (["reproduce", "nosuch"], 2, "experiment (nosuch) must be one of: fig2.1"),
    (["report", "--format", "nope"], 2, "argument --format: invalid choice: 'nope'"),
    (["report", "--out", "{dir}/file.txt/sub"], 2, "out ({dir}/file.txt/sub) must be a writable directory"),
    (["report", "--jobs", "0"], 2, "jobs (0) must be an integer >= 1"),
    (["report", "--quick", "--full"], 2, "argument --full: not allowed with argument --quick"),
    (["docs", "--out", "{dir}/file.txt/sub"], 2, "out ({dir}/file.txt/sub) must be a writable directory"),
    # -- verify ----------------------------------------------------------------------------------------
    (["verify"], 2, "id (missing) must be given, or --all"),
    (["verify", "nosuch"], 2, "id (nosuch) must be a result with Monte Carlo checks"),
    (["verify", "def3.1"], 2, "id (def3.1) must be a result with Monte Carlo checks"),
    (["verify", "cor3.1", "--trials", "0"], 2, "trials (0) must be >= 1"),
    (["verify", "cor3.1", "--trials", "-5"], 2, "trials (-5) must be >= 1"),
    (["verify", "cor3.1", "--trials", "1.5"], 2, "argument --trials: invalid int value: '1.5'"),
    (["verify", "cor3.1", "--seed", "-1"], 2, "seed (-1) must be >= 0"),
    (["verify", "cor3.1", "--trials", "10", "--chunks", "0"], 2, "chunks (0) must be an integer >= 1"),
    (["verify", "cor3.1", "--trials", "10", "--jobs", "0"], 2, "jobs (0) must be an integer >= 1"),
    (["verify", "cor3.1", "--trials", "10", "--jobs", "-3"], 2, "jobs (-3) must be an integer >= 1"),
    (
        ["verify", "cor3.1", "--trials", "10", "--jobs", "2", "--scheduler", "tcp://127.0.0.1:1"],
        2,
        "argument --scheduler: not allowed with argument --jobs",
    ),
    (
        ["verify", "cor3.1", "--scheduler", "nonsense"],
        2,
        "scheduler (nonsense) must be an address like tcp://HOST:PORT",
    ),
    (["verify", "cor3.1", "--trials", "10", "--connect-timeout", "-1"], 2, "seconds (-1) must be a finite number > 0"),
    (
        ["verify", "cor3.1", "--trials", "10", "--connect-timeout", "nan"],
        2,
        "seconds (nan) must be a finite number > 0",
    ),
    (["verify", "cor3.1", "--trials", "10", "--connect-timeout", "x"], 2, "seconds (x) must be a number"),
    (["verify", "cor3.1", "n=abc"], 2, "n ('abc') must be a number"),
    (["verify", "cor3.1", "n=0"], 2, "n (0) must be an integer in [1, inf)"),
    (["verify", "cor3.1", "alpha=0.7"], 2, "alpha (0.7) must be in [0, 1/2)"),
    (["verify", "cor3.1", "alpha=-0.1"], 2, "alpha (-0.1) must be in [0, 1/2)"),
    (["verify", "cor3.1", "t=nan"], 2, "t (nan) must be finite"),
    (["verify", "cor3.1", "t=-1"], 2, "t (-1) must be in (0, inf)"),
    (["verify", "cor3.1", "n=1:10:0"], 2, "n range count (0) must be an integer >= 1"),
    (["verify", "cor3.1", "zeta=1"], 2, "option (zeta) must be a parameter of cor3.1"),
    (["verify", "cor3.1", "n=5", "n=6"], 2, "parameter (n) must be given once"),
    (["verify", "cor3.1", "=5"], 2, "argument (=5) must name a parameter before '='"),
    (["verify", "cor3.1/edge", "law=nosuch"], 2, "law (nosuch) must be one of bernoulli, exp"),
    (["verify", "cor3.1", "--trials", "10", "n=0", "--seed", "1"], 2, "n (0) must be an integer in [1, inf)"),
    (["verify", "cor3.1", "--trials", "10", "--bogus"], 2, "unrecognized arguments: --bogus"),
    # -- sweep -----------------------------------------------------------------------------------------
    (["sweep"], 2, "the following arguments are required: config"),
    (["sweep", "{dir}/nowhere.toml"], 2, "config ({dir}/nowhere.toml) must be an existing TOML file"),
    (["sweep", "{dir}/binary.toml"], 2, "config ({dir}/binary.toml) must be UTF-8 TOML text"),
    (["sweep", "{dir}/syntax.toml"], 2, "config ({dir}/syntax.toml) must be valid TOML"),
    (["sweep", "{dir}/empty.toml"], 2, "must list at least one [[check]] or [[experiment]]"),
    (["sweep", "{dir}/seed.toml"], 2, "seed (-1) must be an integer >= 0"),
    (["sweep", "{dir}/name.toml"], 2, "check[0].name (nosuch) must be a registered check"),
    (["sweep", "{dir}/trials.toml"], 2, "check[0].trials (0) must be an integer >= 1"),
    (["sweep", "{dir}/chunks.toml"], 2, "check[0].chunks (0) must be an integer >= 1"),
    (["sweep", "{dir}/key.toml"], 2, "has unknown key(s) ['bogus']"),
    (["sweep", "{dir}/grid.toml"], 2, "grid.n log range (0, 10) must have positive ends"),
    (["sweep", "{dir}/gridkind.toml"], 2, "grid.n has unknown key(s) ['cubic']"),
    (["sweep", "{dir}/gridempty.toml"], 2, "grid.n ([]) must list at least one value"),
    (["sweep", "{dir}/option.toml"], 2, "bound_scale (-1) must be in (0, inf)"),
    (["sweep", "{dir}/unknown.toml"], 2, "parameter (zeta) must be one of the options of cor3.1/edge"),
    (["sweep", "{dir}/jobs.toml"], 2, "jobs (0) must be an integer >= 1"),
    (["sweep", "{dir}/combine.toml"], 2, "combine (cross) must be 'product' or 'zip'"),
    (["sweep", "{dir}/zip.toml"], 2, "grid lists must have equal lengths to be zipped"),
    (["sweep", "{dir}/experiment.toml"], 2, "experiment[0].name (nosuch) must be one of"),
    (["sweep", "{dir}/seeds.toml"], 2, "experiment[0].seeds ([-1]) must be a list of integers >= 0"),
    (["sweep", "{dir}/combine.toml", "--chunks", "3"], 2, "combine (cross) must be 'product' or 'zip'"),
    # -- tighten ---------------------------------------------------------------------------------------
    (["tighten", "nosuch"], 2, "id (nosuch) must be a result with Monte Carlo checks"),
    (["tighten", "cor3.1", "--budget", "-1"], 2, "budget (-1.0) must be a positive number of seconds"),
    (["tighten", "cor3.1", "--budget", "nan"], 2, "budget (nan) must be a positive number of seconds"),
    (["tighten", "cor3.1", "--seed", "-1"], 2, "seed (-1) must be >= 0"),
    (["tighten", "cor3.1", "--trials", "0"], 2, "trials (0) must be >= 1"),
    (["tighten", "cor3.1", "--knobs", "zeta"], 2, "knob (zeta) must be one of n, m, alpha, t"),
    (["tighten", "cor3.1", "--max-evaluations", "0"], 2, "max_evaluations (0) must be an integer >= 1"),
    (["tighten", "cor3.1", "--method", "nosuch"], 2, "argument --method: invalid choice: 'nosuch'"),
    # -- diversity -------------------------------------------------------------------------------------
    (["diversity"], 2, "input (missing) must be given"),
    (["diversity", "--gradients", "{dir}/nowhere.npy"], 2, "must be an existing .npy, .npz or .csv file"),
    (["diversity", "--gradients", "{dir}/garbage.npy"], 2, "does not start with the .npy magic string"),
    (["diversity", "--gradients", "{dir}/vector.npy"], 2, "gradients (shape (5,)) must be a non-empty n x d matrix"),
    (["diversity", "--gradients", "{dir}/nan.npy"], 2, "gradients (contains NaN or inf) must be finite"),
    (["diversity", "--gradients", "{dir}/G.npy", "--batch", "0"], 2, "B (0) must be an integer >= 1"),
    (["diversity", "--gradients", "{dir}/G.npy", "--batch", "1000"], 2, "B (1000) must be <= n (20)"),
    (["diversity", "--gradients", "{dir}/G.npy", "--drop", "1"], 2, "drop (1) must be in [0, 1)"),
    (["diversity", "--gradients", "{dir}/G.npy", "--drop", "-0.1"], 2, "drop (-0.1) must be in [0, 1)"),
    (["diversity", "--gradients", "{dir}/G.npy", "--sgld", "-1"], 2, "sgld (-1) must be a finite number >= 0"),
    (["diversity", "--gradients", "{dir}/G.npy", "--sgld", "nan"], 2, "sgld (nan) must be a finite number >= 0"),
    (["diversity", "--data", "{dir}/G.npy"], 2, "labels (missing) must be given with --data"),
    (
        ["diversity", "--gradients", "{dir}/G.npy", "--gradients-prime", "{dir}/vector.npy"],
        2,
        "gradients_w_prime (shape (5,)) must be a non-empty n x d matrix",
    ),
    (["diversity", "--gradients", "{dir}/G.npy", "--data", "digits"], 2, "argument --data: not allowed with"),
    # -- certify ---------------------------------------------------------------------------------------
    (
        ["certify", "sdp", "--matrix", "{dir}/objects.npy"],
        2,
        "must be a numeric .npy array, not pickled Python objects",
    ),
    (["certify", "sdp", "--matrix", "{dir}/vector.npy"], 2, "Q (shape (5,)) must be a non-empty square matrix"),
    (["certify", "sdp", "--matrix", "{dir}/nan.npy"], 2, "Q (nan) must contain only finite numbers"),
    (["certify", "sdp", "--matrix", "{dir}/G.npy", "--method", "nope"], 2, "argument --method: invalid choice"),
    (["certify", "sdp", "--matrix", "{dir}/Q.npy", "--tol", "0"], 2, "tol (0.0) must be in (0, 1)"),
    (["certify", "sdp", "--matrix", "{dir}/Q.npy", "--limit", "-1"], 2, "limit (-1) must be >= 0"),
    (["certify", "sdp", "--matrix", "{dir}/asymmetric.npy"], 2, "must be symmetric"),
    # -- the top level ---------------------------------------------------------------------------------
    (["--bogus"], 2, "unrecognized arguments: --bogus"),
    (["nosuch"], 2, "argument COMMAND: invalid choice: 'nosuch'"),
    (["list", "x=1"], 2, "unrecognized arguments: x=1"),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> str:
    d = tmp_path_factory.mktemp("inputs")
    for name, text in SWEEPS.items():
        (d / name).write_bytes(b"\xff\xfe\x00 not text" if text is None else text.encode())
    (d / "file.txt").write_text("x")
    (d / "garbage.npy").write_bytes(b"hello world, no array here")
    np.save(d / "objects.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    np.save(d / "huge.npy", np.full((2, 2), 1e308))
    np.save(d / "vector.npy", np.ones(5))
    np.save(d / "nan.npy", np.array([[np.nan, 1.0], [1.0, 2.0]]))
    np.save(d / "G.npy", np.random.default_rng(0).standard_normal((20, 3)))
    np.save(d / "Q.npy", np.array([[0.0, 1.0], [1.0, 0.0]]))
    np.save(d / "asymmetric.npy", np.array([[0.0, 1.0], [0.0, 0.0]]))
    return str(d)


def run(capsys, argv: list[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    out, err = capsys.readouterr()
    return int(code), out, err


def row_id(argv: list[str], code: int, fragment: str) -> str:
    short = [a for a in argv if a not in MODEL_R and a not in NO_N]
    return f"{code}:" + " ".join(short)[:70]


@pytest.mark.parametrize("argv,code,fragment", BAD, ids=[row_id(*r) for r in BAD])
def test_each_invalid_input_exits_with_its_code_and_one_clear_line(capsys, folder, argv, code, fragment):
    argv = [a.format(dir=folder) for a in argv]
    got, out, err = run(capsys, argv)
    assert got == code, (out, err)
    assert "Traceback" not in err and "internal error" not in err
    if code == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert fragment.format(dir=folder) in lines[0], lines[0]
        assert lines[0].startswith("boundlab: error: ")
    elif code == 3:
        assert fragment in err, err
        assert not any(f"= {x}" in err for x in ("inf", "nan", "-inf")), err  # both sides finite


def test_the_table_has_at_least_120_rows_all_distinct():
    keys = [tuple(argv) for argv, _, _ in BAD]
    assert len(BAD) >= 120 and len(set(keys)) == len(keys)


def test_an_intermediate_overflow_no_longer_turns_a_valid_point_into_a_violated_hypothesis(capsys):
    # n m L_hat D = 1e322 overflows float64; every hypothesis holds and Delta is finite (mpmath fallback)
    argv = ["eval", "thm3.8", "n=1e6", "m=1e6", "L_hat=1e300", "D=1e10", *without("n", "m", "L_hat", "D"), "--json"]
    code, out, err = run(capsys, argv)
    doc = json.loads(out)
    assert code == 0, err
    assert math.isfinite(doc["value"]) and 0 < doc["value"] < 1e-3
    assert math.isclose(doc["quantities"]["lhs_3_2"], 0.0902660287, rel_tol=1e-8)
    assert doc["quantities"]["X"] == "inf"  # 1e322 exceeds float64: reported as inf, never as NaN


def test_the_overflow_fallback_agrees_with_mpmath_at_the_overflowing_point():
    import mpmath

    from boundlab.bounds import get

    thm = get("thm3.8")
    kw = {"n": 1e6, "m": 1e6, "L_hat": 1e300, "D": 1e10, "d": 2, "alpha": 0.05, "V": 3**0.5, "S": 1.6}
    with mpmath.workdps(50):
        exact = thm.evaluate(precision=50, **kw)
        assert math.isclose(thm.evaluate(**kw), float(exact), rel_tol=1e-12)


def test_a_tiny_eps_is_evaluated_rather_than_rounded_to_an_infinite_c_eps(capsys):
    code, out, _ = run(capsys, ["eval", "eq3.4", "eps=1e-300", "--json"])
    value = json.loads(out)["value"]
    assert code == 0
    # C_eps ~ sqrt(2 pi) exp(z^2/2) with z = Phi^-1(1 - 1e-300): about 1 / (eps z)
    assert 1e296 < value < 1e300


def test_name_value_words_are_accepted_after_flags(capsys):
    code, out, err = run(capsys, ["eval", "thm3.8", "--json", *MODEL_R[:3], "--quantity", "X", *MODEL_R[3:]])
    assert code == 0, err
    assert json.loads(out)["selected"]["value"] == 1000 * 1000 * 2 * 2


def test_an_internal_error_exits_70_in_one_line_never_1_which_means_a_failed_check(capsys, monkeypatch):
    from boundlab.cli import results

    def broken(args):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(results, "cmd_list", broken)  # the parser is built per call, so it picks this up
    code, _, err = run(capsys, ["list"])
    assert code == 70
    assert err.strip() == "boundlab: internal error: ZeroDivisionError: boom (rerun with --debug for the traceback)."
