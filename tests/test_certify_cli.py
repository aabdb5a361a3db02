"""`boundlab certify` and `boundlab certify sdp` through main([...])."""

from __future__ import annotations

import json

import numpy as np
import pytest

from boundlab.certify import build_q
from boundlab.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def files(tmp_path):
    rng = np.random.default_rng(0)
    paths = {
        k: str(tmp_path / f)
        for k, f in (
            ("net", "net.npz"),
            ("X", "X.npy"),
            ("y", "y.npy"),
            ("Q", "Q.npy"),
            ("half", "half.npz"),
            ("garbage", "garbage.npy"),
            ("objects", "objects.npy"),
            ("truncated", "truncated.npy"),
            ("huge", "huge.npy"),
            ("nan", "nan.npy"),
            ("ragged", "ragged.npy"),
        )
    }
    (tmp_path / "garbage.npy").write_bytes(b"not an array at all")
    np.save(paths["objects"], np.array([{"a": 1}], dtype=object), allow_pickle=True)
    np.save(paths["huge"], np.full((2, 2), 1e308))
    np.save(paths["nan"], np.array([[np.nan, 0.0], [0.0, 1.0]]))
    np.save(paths["ragged"], np.ones((2, 3)))
    W1, W2 = rng.standard_normal((6, 4)), rng.standard_normal((3, 6))
    np.savez(paths["net"], W1=W1, W2=W2)
    np.savez(paths["half"], W1=W1)
    X = rng.standard_normal((5, 4))
    np.save(paths["X"], X)
    np.save(paths["y"], np.argmax(np.maximum(X @ W1.T, 0) @ W2.T, axis=1))
    np.save(paths["Q"], build_q([[1.0, -1.0]], [1.0]).dense())
    (tmp_path / "truncated.npy").write_bytes((tmp_path / "Q.npy").read_bytes()[:100])
    return paths


def test_certify_json_reports_margins_accuracy_and_bound(capsys, files):
    code, out, _ = run(
        capsys,
        "certify",
        "--weights",
        files["net"],
        "--data",
        files["X"],
        "--labels",
        files["y"],
        "--eps",
        "0.01",
        "--json",
    )
    doc = json.loads(out)
    assert code == 0
    assert len(doc["certified_margins"]) == 5 and doc["clean_accuracy"] == 1.0
    assert 0.0 <= doc["certified_robust_accuracy"] <= 1.0
    assert doc["C"]["lower"] <= doc["C"]["upper"]
    assert {"printed", "proof", "empirical_surrogate_error"} <= set(doc["bound"])
    assert all(c <= m for c, m in zip(doc["certified_margins"], doc["margins"]))


def test_certify_text_prints_a_row_per_example_and_the_summary(capsys, files):
    code, out, _ = run(
        capsys,
        "certify",
        "--weights",
        files["net"],
        "--data",
        files["X"],
        "--labels",
        files["y"],
        "--eps",
        "0.001",
        "--pairwise",
    )
    assert code == 0
    assert "certified robust accuracy at eps = 0.001" in out and "Theorem 5.8 bound" in out
    assert sum(1 for line in out.splitlines() if line.strip().endswith((" yes", " no"))) == 5


def test_certify_with_the_printed_q_warns_that_it_is_unsound(capsys, files):
    code, out, _ = run(
        capsys,
        "certify",
        "--weights",
        files["net"],
        "--data",
        files["X"],
        "--labels",
        files["y"],
        "--eps",
        "0.01",
        "--form",
        "printed",
    )
    assert code == 0 and "unsound" in out


def test_certify_sdp_json_has_the_documented_keys_and_the_section_8_3_value(capsys, files):
    code, out, _ = run(capsys, "certify", "sdp", "--matrix", files["Q"], "--json")
    doc = json.loads(out)
    assert code == 0 and {"lower", "upper", "gap", "solver", "seconds"} <= set(doc)
    assert doc["lower"] <= 8.0 <= doc["upper"] <= 8.0 + 1e-9 and doc["gap"] == doc["upper"] - doc["lower"]


def test_certify_sdp_text_shows_the_interval(capsys, files):
    code, out, _ = run(capsys, "certify", "sdp", "--matrix", files["Q"], "--method", "eig")
    assert code == 0 and "certified interval [0, 8" in out


@pytest.mark.parametrize(
    "argv,message",
    [
        (
            ["certify", "--weights", "{net}", "--data", "{X}", "--labels", "{y}", "--eps", "-1"],
            "eps (-1.0) must be a finite number >= 0",
        ),
        (["certify", "--weights", "{net}", "--data", "{X}", "--labels", "{y}"], "eps (missing) must be given"),
        (["certify", "--weights", "{half}", "--data", "{X}", "--labels", "{y}", "--eps", "0.1"], "missing W2"),
        (
            ["certify", "--weights", "{X}", "--data", "{X}", "--labels", "{y}", "--eps", "0.1"],
            "must be a readable .npz",
        ),
        (
            ["certify", "--weights", "{net}", "--data", "{y}", "--labels", "{y}", "--eps", "0.1"],
            "must have d = 4 columns",
        ),
        (["certify", "--data", "{X}", "--labels", "{y}", "--eps", "0.1"], "weights (missing) must be given"),
        (["certify", "--matrix", "{Q}"], "must be used as `boundlab certify sdp --matrix Q.npy`"),
        (["certify", "sdp"], "matrix (missing) must be given with --matrix Q.npy"),
        (["certify", "sdp", "--matrix", "nowhere.npy"], "matrix (nowhere.npy) must be an existing .npy file"),
        (["certify", "sdp", "--matrix", "{net}"], "must hold a single array"),
        (["certify", "sdp", "--matrix", "{X}"], "must be a non-empty square matrix"),
        (["certify", "sdp", "--matrix", "{Q}", "--weights", "{net}"], "--weights (given) must not be used"),
        (["certify", "sdp", "--matrix", "{Q}", "--tol", "2"], "tol (2.0) must be in (0, 1)"),
        (["certify", "sdp", "--matrix", "{garbage}"], "does not start with the .npy magic string"),
        (["certify", "sdp", "--matrix", "{objects}"], "must be a numeric .npy array, not pickled Python objects"),
        (["certify", "sdp", "--matrix", "{truncated}"], "must be a readable .npy array (EOF"),
        (
            ["certify", "sdp", "--matrix", "{huge}"],
            "Q (max |entry| 1e+308) must have entries of magnitude <= 1e300 / N^2",
        ),
        (["certify", "sdp", "--matrix", "{huge}", "--method", "eig"], "Q (max |entry| 1e+308) must have entries"),
        (["certify", "sdp", "--matrix", "{nan}"], "Q (nan) must contain only finite numbers"),
        (["certify", "sdp", "--matrix", "{ragged}"], "Q (shape (2, 3)) must be a non-empty square matrix"),
        (
            ["certify", "--weights", "{net}", "--data", "{garbage}", "--labels", "{y}", "--eps", "0.1"],
            "data ({garbage}) must be a .npy file written by numpy.save",
        ),
        (
            ["certify", "--weights", "{net}", "--data", "{X}", "--labels", "{objects}", "--eps", "0.1"],
            "labels ({objects}) must be a numeric .npy array",
        ),
    ],
)
def test_certify_bad_input_exits_2_with_one_line(capsys, files, argv, message):
    code, out, err = run(capsys, *[a.format(**files) for a in argv])
    assert code == 2 and message.format(**files) in err and len(err.strip().splitlines()) == 1


def test_a_nonpositive_semidefinite_q_is_certified_as_zero_within_a_few_sweeps(capsys, tmp_path):
    path = tmp_path / "negative.npy"
    np.save(path, np.diag([-1.0, 0.0]))
    code, out, _ = run(capsys, "certify", "sdp", "--matrix", str(path), "--json")
    doc = json.loads(out)
    assert code == 0 and doc["lower"] == 0.0 and 0.0 <= doc["upper"] < 1e-12
    assert doc["iterations"] < 100 and doc["note"] == ""


def test_a_non_finite_interval_is_refused_and_never_reported_as_a_certificate():
    from boundlab.bounds import BadInput
    from boundlab.certify import SDPResult

    with pytest.raises(BadInput, match=r"must give a finite certified interval"):
        SDPResult(float("inf"), float("inf"), "fast", 0.0, 2)
    with pytest.raises(BadInput, match=r"must give a finite certified interval"):
        SDPResult(0.0, float("nan"), "fast", 0.0, 2)


def test_an_unknown_certify_mode_is_an_argparse_error_with_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["certify", "nonsense"])
    assert exc.value.code == 2 and "invalid choice: 'nonsense'" in capsys.readouterr().err
