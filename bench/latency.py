"""Submit-to-done latency through nginx: each client submits, then polls until done, as fast as
it can, over a kept-alive connection. Prints p50 and p99 in milliseconds as JSON."""
import http.client
import json
import sys
import threading
import time

port, token, body, clients, per_client = int(sys.argv[1]), sys.argv[2], sys.argv[3].encode(), int(sys.argv[4]), int(sys.argv[5])
latencies, lock = [], threading.Lock()


def client():
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    for _ in range(per_client):
        start = time.perf_counter()
        connection.request("POST", "/api/predictions", body, headers)
        response = connection.getresponse()
        job = json.loads(response.read())
        assert response.status == 202, job
        while True:
            connection.request("GET", job["status_url"], headers=headers)
            response = connection.getresponse()
            state = json.loads(response.read())
            if state["status"] in ("done", "failed"):
                break
        elapsed = (time.perf_counter() - start) * 1000
        with lock:
            latencies.append(elapsed)


threads = [threading.Thread(target=client) for _ in range(clients)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
latencies.sort()
pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
print(json.dumps({"clients": clients, "requests": len(latencies), "p50_ms": pick(0.5), "p99_ms": pick(0.99)}))
