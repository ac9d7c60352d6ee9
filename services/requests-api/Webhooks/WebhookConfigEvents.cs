using JasperFx.Events;
using Marten.Events.Aggregation;

namespace ProductionTests.RequestsApi.Webhooks;

/// <summary>An app's webhook configuration as it now stands (stream <c>whk_&lt;client id&gt;</c>): the whole state after a PATCH.</summary>
public sealed record WebhookConfigured(string ClientId, string WorkspaceId, string? Url, bool Enabled, IReadOnlyList<string> EventTypes, DateTimeOffset ChangedAt);

/// <summary>
/// A new signing secret, sealed (<see cref="SecretBox"/>): never in clear in the store. The one before it stays
/// valid until <paramref name="PreviousValidUntil"/> (null for the app's first secret).
/// </summary>
public sealed record WebhookSecretIssued(string ClientId, string SecretId, string SealedSecret, DateTimeOffset IssuedAt, DateTimeOffset? PreviousValidUntil);

/// <summary>One signing secret of an app; <see cref="ValidUntil"/> set once a newer one replaced it.</summary>
public sealed record StoredSecret(string SecretId, string SealedSecret, DateTimeOffset IssuedAt, DateTimeOffset? ValidUntil);

/// <summary>The app's webhook configuration, projected inline from its stream (the stream is its audit trail).</summary>
public sealed class WebhookConfigView
{
    public string Id { get; set; } = "";
    public string ClientId { get; set; } = "";
    public string WorkspaceId { get; set; } = "";
    public string? Url { get; set; }
    public bool Enabled { get; set; }
    public List<string> EventTypes { get; set; } = [];
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>The current secret last: at most two (the current one and the one still in its grace period).</summary>
    public List<StoredSecret> Secrets { get; set; } = [];
    public long Version { get; set; }

    public const string StreamPrefix = "whk_";
    public const string Table = Infrastructure.EventStoreSetup.Schema + ".mt_doc_webhookconfigview";

    public static string StreamId(string clientId) => StreamPrefix + clientId;

    /// <summary>The secrets a delivery is signed with at <paramref name="now"/>: the current one, then one still in its grace period.</summary>
    public IEnumerable<StoredSecret> ValidSecrets(DateTimeOffset now) =>
        Enumerable.Reverse(Secrets).Where(s => s.ValidUntil is null || s.ValidUntil > now);
}

public sealed class WebhookConfigProjection : SingleStreamProjection<WebhookConfigView, string>
{
    // Only the configuration's events: without this, Marten runs the projection for every stream (a view per request).
    public WebhookConfigProjection()
    {
        IncludeType<WebhookConfigured>();
        IncludeType<WebhookSecretIssued>();
    }

    public override WebhookConfigView? Evolve(WebhookConfigView? view, string id, IEvent e)
    {
        if (e.Data is not (WebhookConfigured or WebhookSecretIssued)) return view;
        view ??= new WebhookConfigView { Id = id };
        view.Version = e.Version;
        switch (e.Data)
        {
            case WebhookConfigured c:
                view.ClientId = c.ClientId;
                view.WorkspaceId = c.WorkspaceId;
                view.Url = c.Url;
                view.Enabled = c.Enabled;
                view.EventTypes = [.. c.EventTypes];
                view.UpdatedAt = c.ChangedAt;
                break;
            case WebhookSecretIssued s:
                view.ClientId = s.ClientId;
                var kept = view.Secrets.Count > 0 && s.PreviousValidUntil is { } until
                    ? [view.Secrets[^1] with { ValidUntil = until }]
                    : new List<StoredSecret>();
                kept.Add(new StoredSecret(s.SecretId, s.SealedSecret, s.IssuedAt, null));
                view.Secrets = kept;
                view.UpdatedAt = s.IssuedAt;
                break;
        }
        return view;
    }
}

/// <summary>The event types an app may subscribe to, as they appear in a delivery's <c>event</c>.</summary>
public static class WebhookEventTypes
{
    public const string Requested = "production_test.requested";
    public const string Scheduled = "production_test.scheduled";
    public const string Failed = "production_test.failed";
    public static readonly IReadOnlyList<string> All = [Requested, Scheduled, Failed];
}
