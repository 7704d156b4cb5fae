"""bmplib.rib on ../shared/pcaps/frr_large.bmp (320 000 routes of one FRR peer).

Reports, in one run:
* bytes per route held (tracemalloc: everything allocated while applying, the decoded messages freed);
* routes applied per second, as the time of decode + apply over decode alone (same implementation),
  CPU time of this process (time.process_time: the machine is shared, wall time would count the others);
* the time for the Peer Down of the peer holding the whole table to produce its withdrawals.

    python benchmarks/bench_rib.py [PATH]
"""

from __future__ import annotations

import gc
import sys
import time
import tracemalloc
from pathlib import Path

import bmplib
from bmplib.rib import RIB

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "pcaps" / "frr_large.bmp"


def _apply_all(path: Path, rib: RIB) -> tuple[int, object]:
    """Decode and apply every item up to the Peer Down of the full table;
    return (routes applied, that Peer Down)."""
    routes = 0
    for item in bmplib.iter_file(path):
        if item.type == bmplib.MessageType.PEER_DOWN and len(rib) > 100_000:
            return routes, item
        u = getattr(item, "update", None)
        if u is not None:
            mp = u.mp_reach
            routes += len(u.nlri) + len(u.withdrawn_routes) + (len(mp.nlri) if mp is not None else 0)
        rib.apply(item)
    raise SystemExit("no Peer Down of a full table in this file")


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    print(f"implementation: {bmplib.IMPLEMENTATION}; {path.name}")
    best_decode = best_both = float("inf")
    routes = 0
    rib = RIB(track_macs=False)
    down: object = None
    for _ in range(2):  # interleaved, best of two: the machine is shared
        t = time.process_time()
        for _item in bmplib.iter_file(path):
            pass
        best_decode = min(best_decode, time.process_time() - t)
        rib = RIB(track_macs=False)
        gc.collect()
        t = time.process_time()
        routes, down = _apply_all(path, rib)
        best_both = min(best_both, time.process_time() - t)
    print(f"decode alone: {best_decode:.2f} s CPU")
    print(f"decode + apply: {best_both:.2f} s CPU; {routes / best_both:,.0f} routes/s")
    print(f"decode + apply / decode alone: {best_both / best_decode:.2f}x")
    t = time.process_time()
    events = rib.apply(down)
    dt = time.process_time() - t
    print(f"Peer Down of the full-table peer: {len(events) - 1} withdrawals in {dt:.2f} s CPU")
    del rib, events
    gc.collect()
    tracemalloc.start()
    rib = RIB(track_macs=False)
    _apply_all(path, rib)
    gc.collect()
    mem = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    print(f"routes held: {len(rib)}, attribute sets: {len(rib.pool)}")
    print(f"bytes per route (tracemalloc, whole RIB): {mem / len(rib):.0f}")


if __name__ == "__main__":
    main()
