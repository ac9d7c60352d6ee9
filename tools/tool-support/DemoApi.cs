using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace ProductionTests.Tools;

/// <summary>What the tools call requests-api with: deploy/demo-data.json's sandbox key and app (Acme Bank).</summary>
public static class DemoApi
{
    public const string ApiKey = "sk_workspace_test_acmeDemoKey0000000001";
    public const string ClientId = "FK5b0KSM";
    public const string CreatePath = $"connect/v1/apps/{ClientId}/production-tests";

    public static AuthenticationHeaderValue Authorization { get; } = new("Bearer", ApiKey);

    /// <summary>
    /// One request through the whole pipeline (create, then wait for its outcome with <c>Prefer: wait</c>)
    /// before any load: fails fast when the system does not schedule requests at all. Returns its id.
    /// </summary>
    /// <param name="clientId">The demo app to create it for (another of the demo key's apps than <see cref="ClientId"/>, for a list of its own).</param>
    public static async Task<string> WarmUpAsync(HttpClient http, string title, string idempotencyKey, SuiteLog log, CancellationToken ct, string clientId = ClientId)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, $"connect/v1/apps/{clientId}/production-tests") { Content = JsonContent.Create(new { title }) };
        create.Headers.Authorization = Authorization;
        create.Headers.Add("Idempotency-Key", idempotencyKey);
        using var created = await http.SendAsync(create, ct);
        var body = await created.Content.ReadAsStringAsync(ct);
        if ((int)created.StatusCode != 201) throw new SetupException($"The warm-up request was answered {(int)created.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        var id = json.RootElement.GetProperty("id").GetString()!;

        using var wait = new HttpRequestMessage(HttpMethod.Get, created.Headers.Location);
        wait.Headers.Authorization = Authorization;
        wait.Headers.Add("Prefer", "wait=30");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(40));
        using var answer = await http.SendAsync(wait, timeout.Token);
        using var state = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(timeout.Token));
        var status = state.RootElement.GetProperty("status").GetString();
        if (status != "scheduled")
            throw new SetupException($"The warm-up request {id} is '{status}' after 30 s: the system does not schedule requests; see {log.Directory}.");
        return id;
    }
}
