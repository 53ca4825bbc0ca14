"""`python -m askesos.embedded`: the watchdog an owner starts, and two commands that
must not load the settings (which would start the servers they look at).

    python -m askesos.embedded leftovers [DATA_DIR]   servers recorded there that still
                                                      run; exit 1 if any (CI, tests)
    python -m askesos.embedded stop [DATA_DIR]        stop that folder's servers,
                                                      whoever uses them
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from askesos.embedded import data_dir, owner_leave, servers_stop
from askesos.embedded.records import (
    STATE_FILE,
    leftovers,
    locked,
    log,
    process_of,
    same,
    state_read,
    state_write,
)

WATCH_INTERVAL = 0.5


def watch(folder: Path, owner: dict) -> int:
    """Until the owner has gone; then leave for it, as its atexit would have."""
    seen = None
    while True:
        time.sleep(WATCH_INTERVAL)
        if (folder / STATE_FILE).exists():
            seen = state_read(folder)
            if not any(same(entry, owner) for entry in seen["owners"]):
                return 0  # it left by itself
        if process_of(owner) is not None:
            continue
        if (folder / STATE_FILE).exists():
            with locked(folder):
                owner_leave(folder, owner)
            log(folder, f"command {owner['pid']} ended without leaving; left for it")
        elif seen is not None:
            # The data folder was deleted: stop what it last recorded, unless another
            # owner still runs (it will, when it ends).
            if not any(process_of(entry) for entry in seen["owners"] if not same(entry, owner)):
                servers_stop(folder, seen)
        return 0


def main(argv: list[str]) -> int:
    if len(argv) == 4 and argv[0] == "watch":
        return watch(Path(argv[1]), {"pid": int(argv[2]), "started": float(argv[3])})
    if not argv or argv[0] not in {"leftovers", "stop"} or len(argv) > 2:
        print(__doc__.split("\n\n", 1)[1], file=sys.stderr)
        return 2
    folder = Path(argv[1]).resolve() if len(argv) == 2 else data_dir()
    if argv[0] == "stop":
        with locked(folder):
            state = state_read(folder)
            state["owners"] = []
            servers_stop(folder, state)
            state_write(folder, state)
        print(f"embedded servers in {folder} stopped")
        return 0
    left = leftovers(folder)
    for entry in left:
        print(f"still running: {entry['what']} pid {entry['pid']} (started for {entry['by']})")
    if not left:
        print(f"no embedded server recorded in {folder} is running")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
