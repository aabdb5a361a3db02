"""Peak memory of every registered check at its default size (target: under 2 GiB each).

Each check runs in a fresh subprocess; the peak resident set size (ru_maxrss) is read after the
run, with the baseline of importing boundlab measured the same way. Usage:
    python benchmarks/bench_check_memory.py [--quick] [--only PREFIX]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CODE = """
import json, resource, sys, time
import boundlab.montecarlo as mc
name, quick = sys.argv[1], sys.argv[2] == "1"
t0 = time.perf_counter()
if name != "-":
    mc.verify(name, quick=quick)
print(json.dumps({"rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "seconds": time.perf_counter() - t0}))
"""


def measure(name: str, quick: bool) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CODE, name, "1" if quick else "0"], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="quick sizes instead of the default (full) sizes")
    ap.add_argument("--only", default="", help="only checks whose name starts with this")
    args = ap.parse_args()
    import boundlab.montecarlo as mc

    base = measure("-", True)["rss_mib"]
    print(f"baseline (import boundlab): {base:.0f} MiB peak RSS")
    worst = 0.0
    for name, c in mc.CHECKS.items():
        if not name.startswith(args.only):
            continue
        m = measure(name, args.quick)
        worst = max(worst, m["rss_mib"])
        size = c.quick_trials if args.quick else c.trials
        print(f"{name:40s} trials {size:>7d}  peak {m['rss_mib']:7.0f} MiB  {m['seconds']:7.1f} s")
    print(f"largest peak: {worst:.0f} MiB (target < 2048 MiB)")


if __name__ == "__main__":
    main()
