using ProductionTests.RequestsApi.ReferenceData;

namespace ProductionTests.RequestsApi.Create;

/// <summary>
/// Which providers a challenge may use. A provider is eligible when it is registered, enabled for the
/// app, not chip-based (type 2) and available in this deployment environment.
/// </summary>
public static class ProviderEligibility
{
    public const string Unknown = "unknown_provider";
    public const string NotEnabledForApp = "not_enabled_for_app";
    public const string ChipBased = "chip_based";
    public const string NotAvailableInEnvironment = "not_available_in_environment";

    public sealed record Refusal(string ProviderId, string Reason, string Message);

    public abstract record Outcome;
    /// <summary>The providers to use, in the caller's order, or sorted by id when the caller named none.</summary>
    public sealed record Resolved(IReadOnlyList<string> ProviderIds) : Outcome;
    /// <summary>Some requested providers may not be used; each with its reason.</summary>
    public sealed record Refused(IReadOnlyList<Refusal> Refusals) : Outcome;
    /// <summary>The caller named none and the app has no eligible provider.</summary>
    public sealed record NoneEligible : Outcome;

    public static Outcome Resolve(IReadOnlyList<string>? requested, App app, IReadOnlyDictionary<string, Provider> registered, string environment)
    {
        if (requested is null)
        {
            var eligible = app.ProviderIds
                .Where(id => RefusalOf(id, app, registered, environment) is null)
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)
                .ToList();
            return eligible.Count > 0 ? new Resolved(eligible) : new NoneEligible();
        }

        var refusals = requested.Select(id => RefusalOf(id, app, registered, environment)).OfType<Refusal>().ToList();
        return refusals.Count > 0 ? new Refused(refusals) : new Resolved(requested);
    }

    public static Refusal? RefusalOf(string id, App app, IReadOnlyDictionary<string, Provider> registered, string environment)
    {
        if (!registered.TryGetValue(id, out var provider))
            return new(id, Unknown, $"'{id}' is not a registered provider.");
        if (!app.ProviderIds.Contains(id, StringComparer.Ordinal))
            return new(id, NotEnabledForApp, $"{provider.Name} is not enabled for app {app.Id}.");
        if (provider.Type == Provider.ChipBased)
            return new(id, ChipBased, $"{provider.Name} is chip-based; production tests need app or web verification.");
        if (!provider.Environments.Contains(environment, StringComparer.Ordinal))
            return new(id, NotAvailableInEnvironment, $"{provider.Name} is not available in {environment}.");
        return null;
    }
}
