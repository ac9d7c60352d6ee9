using System.Diagnostics;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.ServiceDefaults;

namespace ProductionTests.RequestsApi.Waiting;

/// <summary>
/// The outcome writer NOTIFYs <see cref="Channel"/> with the request id in the transaction that appends the
/// outcome, so every instance, not only the one that consumed the message, wakes its waiters at commit.
/// When the append is traced, the payload also carries its <c>traceparent</c> (<c>"&lt;id&gt; &lt;traceparent&gt;"</c>),
/// so the waking shows in the request's trace as <c>outcome waiters woken</c>, linked to each waiting GET.
/// </summary>
public sealed class OutcomeNotifications(OutcomeWaiters waiters) : INotificationHandler
{
    public const string Channel = "production_tests_outcomes";

    public static string Payload(string requestId, Activity? append) =>
        append is null ? requestId : $"{requestId} {append.Id}";

    string INotificationHandler.Channel => Channel;

    public void Notified(string payload)
    {
        var space = payload.IndexOf(' ');
        var requestId = space < 0 ? payload : payload[..space];
        var woken = waiters.Notify(requestId);
        if (woken.Count == 0 || space < 0 || !Telemetry.Source.HasListeners()) return;
        ActivityContext.TryParse(payload[(space + 1)..], null, out var parent);
        using var span = Telemetry.Source.StartActivity("outcome waiters woken", ActivityKind.Consumer, parent,
            tags: [new(Telemetry.RequestIdTag, requestId), new("production_tests.waiters", woken.Count)],
            links: woken.Where(c => c != default).Select(c => new ActivityLink(c)));
    }

    public void MissedSome() => waiters.NotifyAll();
}
