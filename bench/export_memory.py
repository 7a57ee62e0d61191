"""Peak memory of one student export in a fresh process (issue 6: 100k rows in < 200 MB).

``python -m bench.export_memory <user id> <list query>`` prints JSON: the process's resident
memory once Django is set up, its peak after one export, and the difference.
"""

from __future__ import annotations

import json
import sys
import tempfile


def _status_mb(field: str) -> float:
    """A memory figure of /proc/self/status in MB (VmRSS now, VmHWM the peak of this program).

    Not getrusage's ru_maxrss: Linux carries that over an exec from the forking parent, so a
    child of the big bench process would report the parent's size.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    from bench.common import setup

    setup()
    from campusflow.accounts.models import User
    from campusflow.orgs.exports import student_export
    from campusflow.tabular.exporting import export_xlsx

    user = User.objects.get(pk=int(sys.argv[1]))
    baseline = _status_mb("VmRSS")
    source = student_export(user, {"query": sys.argv[2] if len(sys.argv) > 2 else ""})
    # A temporary file, as the export job and the download do (xlsxwriter keeps a BytesIO
    # workbook wholly in memory, constant_memory or not).
    with tempfile.TemporaryFile() as output:
        rows = export_xlsx(source.rows, source.columns, output, sheet_name=str(source.sheet_name))
    peak = _status_mb("VmHWM")
    print(json.dumps({"rows": rows, "baseline_mb": round(baseline, 1), "peak_mb": round(peak, 1)}))


if __name__ == "__main__":
    main()
