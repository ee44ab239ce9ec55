#!/usr/bin/env python3
"""An unauthenticated sign-in flood, for bench/service.sh and Tests/integration/test_hostile.py.

CLIENTS concurrent attackers send POST /api/token with a fresh unknown username each time, each
attacker from a loopback address of its own (127.1.x.y: rotating addresses defeat per-address
limits), for SECONDS. Prints one JSON line: how many answers of each status, and the requests
per second. Loopback only; bounded in time.

    signin_flood.py HOST PORT PATH SECONDS [CLIENTS]
"""
import asyncio
import json
import random
import sys
import time


async def attacker(host, port, path, deadline, index, counts):
    source = f"127.1.{index // 250}.{index % 250 + 1}"
    rng = random.Random(index)
    while time.monotonic() < deadline:
        body = f"username=ghost{rng.getrandbits(40):x}&password=not-a-password".encode()
        request = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                   f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port, local_addr=(source, 0)), 5)
            writer.write(request)
            await writer.drain()
            head = await asyncio.wait_for(reader.readline(), 15)
            await asyncio.wait_for(reader.read(), 15)
            writer.close()
            status = head.split()[1].decode() if len(head.split()) > 1 else "none"
        except (OSError, asyncio.TimeoutError):
            status = "error"
        counts[status] = counts.get(status, 0) + 1


async def main():
    host, port, path, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    clients = int(sys.argv[5]) if len(sys.argv) > 5 else 200
    counts = {}
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(*(attacker(host, port, path, deadline, index, counts) for index in range(clients)))
    elapsed = time.monotonic() - started
    print(json.dumps({"statuses": counts, "requests": sum(counts.values()), "seconds": round(elapsed, 2),
                      "per_second": round(sum(counts.values()) / elapsed, 1)}))


if __name__ == "__main__":
    asyncio.run(main())
