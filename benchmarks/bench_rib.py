"""bmplib.rib on ../shared/pcaps/frr_large.bmp (320 000 routes of one FRR peer).

Reports, in one run:
* bytes per route held (tracemalloc: everything allocated while applying, the decoded messages freed);
* routes applied per second, as the time of decode + apply over decode alone (same implementation);
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


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    print(f"implementation: {bmplib.IMPLEMENTATION}; {path.name}")
    # decode alone
    t = time.perf_counter()
    n = 0
    for _ in bmplib.iter_file(path):
        n += 1
    decode = time.perf_counter() - t
    # decode + apply up to (not including) the Peer Down of the full table, memory traced
    gc.collect()
    tracemalloc.start()
    rib = RIB(track_macs=False)
    routes_applied = 0
    down = None
    t = time.perf_counter()
    for item in bmplib.iter_file(path):
        if item.type == bmplib.MessageType.PEER_DOWN and len(rib) > 100_000:
            down = item
            break
        u = getattr(item, "update", None)
        if u is not None:
            routes_applied += len(u.nlri) + len(u.withdrawn_routes)
            mp = u.mp_reach
            routes_applied += len(mp.nlri) if mp is not None else 0
        rib.apply(item)
    both = time.perf_counter() - t
    gc.collect()
    held = len(rib)
    mem = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    print(f"routes held: {held}, attribute sets: {len(rib.pool)}")
    print(f"bytes per route (tracemalloc, whole RIB): {mem / held:.0f}")
    print(f"decode alone: {decode:.2f} s ({n / decode:,.0f} msg/s)")
    print(f"decode + apply up to the Peer Down: {both:.2f} s; {routes_applied / both:,.0f} routes/s")
    print(f"decode + apply / decode alone: {both / decode:.2f}x")
    assert down is not None
    t = time.perf_counter()
    events = rib.apply(down)
    dt = time.perf_counter() - t
    print(f"Peer Down of the full-table peer: {len(events) - 1} withdrawals in {dt:.2f} s")


if __name__ == "__main__":
    main()
