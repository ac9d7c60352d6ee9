namespace ProductionTests.RequestsApi.Infrastructure;

/// <summary>
/// What a feature does when PostgreSQL NOTIFYs its channel; <see cref="NotificationListener"/> LISTENs to the
/// channel of every handler registered, so features bring their own channels.
/// </summary>
public interface INotificationHandler
{
    string Channel { get; }

    void Notified(string payload);

    /// <summary>The listener lost its connection: whatever was notified meanwhile may have been missed.</summary>
    void MissedSome();
}
