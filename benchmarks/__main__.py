"""`python -m benchmarks` (or `make bench`): run every benchmark, print one table.

Each benchmark runs in its own process so that its peak memory is its own.
"""

from __future__ import annotations

import json
import subprocess
import sys

BENCHMARKS = [
    "benchmarks.import_signups",
    "benchmarks.import_forms",
    "benchmarks.selection",
    "benchmarks.invitations",
    "benchmarks.door",
    "benchmarks.door_terminal",
    "benchmarks.survey",
    "benchmarks.merge",
    "benchmarks.rollcall",
    "benchmarks.sealed_pack",
    "benchmarks.memory",
]


def main() -> int:
    rows = []
    for module in BENCHMARKS:
        proc = subprocess.run(
            [sys.executable, "-m", module, *sys.argv[1:]],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            print(f"{module} failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
            return 1
        rows += [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    header = f"{'benchmark':<34} {'value':>10} {'unit':<5} {'target':<10} {'baseline':>9} {'ratio':>7}  note"
    print(header)
    print("-" * len(header))
    for r in rows:
        base = f"{r['baseline']:.3f}" if r["baseline"] else "—"
        ratio = f"{r['value'] / r['baseline']:.1f}×" if r["baseline"] else "—"
        print(
            f"{r['name']:<34} {r['value']:>10.3f} {r['unit']:<5} {r['target']:<10} {base:>9} {ratio:>7}  {r['note']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
