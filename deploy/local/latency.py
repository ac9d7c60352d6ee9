#!/usr/bin/env python3
"""POST -> scheduled latency, measured as a caller sees it: N sequential requests against the running
system (deploy/run.sh), each followed by a GET with `Prefer: wait=10` (answered the moment the outcome
is recorded, no polling, so it stays under the per-key rate limit). Prints median and worst.
    deploy/local/latency.py [N] [base-url]
"""
import http.client, json, statistics, sys, time, urllib.parse

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
base = urllib.parse.urlparse(sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:5080")
key = "sk_workspace_test_acmeDemoKey0000000001"
headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
conn = http.client.HTTPConnection(base.hostname, base.port)

def request(method, path, body=None, extra=None):
    conn.request(method, path, body=body, headers={**headers, **(extra or {})})
    response = conn.getresponse()
    return response, response.read()

latencies, outcomes = [], {}
for i in range(n):
    started = time.perf_counter()
    response, body = request("POST", "/connect/v1/apps/FK5b0KSM/production-tests", json.dumps({"title": f"Latency {i}"}))
    assert response.status == 201, (response.status, body)
    status = json.loads(request("GET", response.getheader("Location"), extra={"Prefer": "wait=10"})[1])["status"]
    latencies.append((time.perf_counter() - started) * 1000)
    outcomes[status] = outcomes.get(status, 0) + 1

latencies.sort()
print(f"{n} sequential requests, POST to outcome: median {statistics.median(latencies):.1f} ms, "
      f"p90 {latencies[int(n * 0.9) - 1]:.1f} ms, worst {latencies[-1]:.1f} ms, best {latencies[0]:.1f} ms; outcomes {outcomes}")
