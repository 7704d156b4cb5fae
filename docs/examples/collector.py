"""A complete BMP collector: accept BMP sessions from routers, decode each
connection's byte stream with its own :class:`bmplib.BMPDecoder`, and write
one JSON object per message (JSON lines).

    python docs/examples/collector.py --port 11019 --output bmp.jsonl

Each record is ``bmplib.to_json(item)`` plus ``"exporter"``: the router's
address and port.  Stop it with Ctrl-C (SIGINT) or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from typing import TextIO

import bmplib


async def handle_router(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, out: TextIO) -> None:
    """One BMP session: a TCP connection from one router."""
    host, port = writer.get_extra_info("peername")[:2]
    decoder = bmplib.BMPDecoder()  # per connection: it keeps this router's per-peer session state

    def emit() -> None:
        try:
            for item in decoder:  # every complete message; stops when more bytes are needed
                record = bmplib.to_json(item)
                record["exporter"] = [host, port]
                out.write(json.dumps(record) + "\n")
        finally:
            out.flush()

    try:
        while data := await reader.read(65536):
            decoder.feed(data)
            emit()
        decoder.close()  # end of stream: a truncated last message comes out as a "skipped" record
        emit()
    except bmplib.FramingError as exc:  # not a BMP stream (any more): drop the connection, the router reconnects
        print(f"{host}:{port}: {exc}", file=sys.stderr)
    finally:
        writer.close()


async def serve(host: str, port: int, out: TextIO) -> None:
    """Listen until SIGINT or SIGTERM."""
    connections: set[asyncio.StreamWriter] = set()

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.add(writer)
        try:
            await handle_router(reader, writer, out)
        finally:
            connections.discard(writer)

    server = await asyncio.start_server(on_connect, host, port)
    bound = server.sockets[0].getsockname()
    print(f"listening on {bound[0]}:{bound[1]}", file=sys.stderr, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    for writer in list(connections):
        writer.close()
    await server.wait_closed()


def main() -> None:
    parser = argparse.ArgumentParser(description="BMP collector writing JSON lines")
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (default: all)")
    parser.add_argument("--port", type=int, default=11019, help="TCP port (0: any free port)")
    parser.add_argument("--output", help="file to append JSON lines to (default: stdout)")
    args = parser.parse_args()
    out = open(args.output, "a", encoding="utf-8") if args.output else sys.stdout
    try:
        asyncio.run(serve(args.host, args.port, out))
    finally:
        if out is not sys.stdout:
            out.close()


if __name__ == "__main__":
    main()
