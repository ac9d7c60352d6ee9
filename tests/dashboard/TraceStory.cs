using ProductionTests.DashboardTests.Infrastructure;

namespace ProductionTests.DashboardTests;

/// <summary>
/// What one request's trace must hold, hop by hop, to read as its story: the HTTP create, its batched commit,
/// the relay's publish, the scheduler's consume and each of its attempts at tpas-backend, the outcome's
/// publish, consume and append, and the waiter woken by NOTIFY. <see cref="Missing"/> names the hops a trace
/// lacks, so a hop that loses the trace context shows as the hops after it missing.
/// </summary>
public static class TraceStory
{
    public const string Ours = "ProductionTests";

    public sealed record Hop(string Name, Func<Span, bool> Matches, int AtLeast = 1);

    public static IReadOnlyList<Hop> Hops(int attempts) =>
    [
        new("HTTP create (POST, server)", s => s.Service == "requests-api" && s.Kind == "server"
            && s.Attribute("http.request.method") == "POST" && (s.Attribute("http.route") ?? "").TrimEnd('/').EndsWith("/production-tests", StringComparison.Ordinal)),
        new("create commit, linked to its batch", s => s.Scope == Ours && s.Name == "create commit" && s.Links > 0),
        new("relay publish", s => s.Scope == Ours && s.Name == "relay ChallengeRequested"),
        new("ChallengeRequested sent to RabbitMQ (producer)", s => s.Service == "requests-api" && s.Kind == "producer" && s.Attribute("messaging.system") == "rabbitmq"),
        new("scheduler consumes it (consumer)", s => s.Service == "scheduler" && s.Kind == "consumer"),
        new($"scheduling attempts (at least {attempts})", s => s.Scope == Ours && s.Name == "schedule challenge", attempts),
        new("tpas-backend call (POST, client)", s => s.Service == "scheduler" && s.Kind == "client"
            && s.Attribute("http.request.method") == "POST" && (s.Attribute("url.full") ?? "").Contains("/v1/challenges", StringComparison.Ordinal)),
        new("outcome sent to RabbitMQ (producer)", s => s.Service == "scheduler" && s.Kind == "producer"),
        new("outcome consumed (consumer)", s => s.Service == "requests-api" && s.Kind == "consumer"),
        new("outcome append, linked to its batch", s => s.Scope == Ours && s.Name == "outcome append commit" && s.Links > 0),
        new("waiter woken by NOTIFY", s => s.Scope == Ours && s.Name == "outcome waiters woken"),
    ];

    /// <summary>The hops the trace lacks, and every span of ours without the request id.</summary>
    public static IReadOnlyList<string> Missing(IReadOnlyList<Span> trace, string requestId, int attempts)
    {
        var missing = Hops(attempts).Where(h => trace.Count(h.Matches) < h.AtLeast).Select(h => h.Name).ToList();
        missing.AddRange(trace.Where(s => s.Scope == Ours && s.Attribute("production_tests.request_id") != requestId)
            .Select(s => $"request id on '{s.Name}'"));
        if (trace.Select(s => s.TraceId).Distinct().Count() > 1) missing.Add("one trace id");
        return missing;
    }
}
