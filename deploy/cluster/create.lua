-- wrk script for the cluster's throughput measurement (docs/cluster.md): POST a create through HAProxy,
-- each with its own title (no Idempotency-Key: every request is a new create).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk_workspace_test_acmeDemoKey0000000001"
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, "/connect/v1/apps/FK5b0KSM/production-tests", nil,
    string.format('{"title":"wrk %d %d","maxStamps":3}', math.random(1, 1000000000), counter))
end
