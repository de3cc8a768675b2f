"""What the spreadsheet deliverables cost: writing a report as .xlsx and .csv, N parcels.

Run by hand (never in the tests)::

    python benchmarks/bench_deliverables.py --n 382 --n 20000 --n 100000

The report is the bundled sample's, repeated to N rows (the cost of writing depends on the rows and their
text, not on where the parcels lie).  Each write runs in this process after one warm-up; the figure is the
best of three.  The .xlsx cost is openpyxl's per cell; since the workbook prints (wrapped reasons, row
heights, every text a text cell) each row carries more styled cells than before.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import pandas as pd
import shapely

import suzhou_geo as sg


def report_of(n: int):
    base = sg.validate_parcels(sg.datasets.parcels(), schemes=False)
    reps = -(-n // len(base))
    out = pd.concat([base] * reps, ignore_index=True).iloc[:n]
    out.attrs = base.attrs
    return out


def best_of(fn, k: int = 3) -> float:
    fn()
    times = []
    for _ in range(k):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, action="append", help="rows (repeatable); default 382 and 20000")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.n or [382, 20_000]:
            r = report_of(n)
            for ext in (".xlsx", ".csv"):
                path = Path(tmp) / f"r{ext}"
                secs = best_of(lambda p=path, r=r: sg.write_layer(r, p, overwrite=True))
                rows.append({"rows": n, "format": ext, "seconds": round(secs, 3),
                             "us_per_row": round(secs / n * 1e6, 1), "bytes": path.stat().st_size})
                print(json.dumps(rows[-1]), flush=True)
    print(f"shapely {shapely.__version__} (GEOS {shapely.geos_version_string}), pandas {pd.__version__}")


if __name__ == "__main__":
    main()
