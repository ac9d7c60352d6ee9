using ProductionTests.RequestsApi.Create;
using ProductionTests.RequestsApi.ReferenceData;
using static ProductionTests.RequestsApi.Create.ProviderEligibility;

namespace ProductionTests.UnitTests;

public class ProviderEligibilityTests
{
    private const string Sandbox = "sandbox";
    private const string Production = "production";

    private static readonly IReadOnlyDictionary<string, Provider> Registered = new[]
    {
        new Provider("smartid", "Smart-ID", 1, [Sandbox, Production]),
        new Provider("bankidse", "BankID SE", 1, [Sandbox, Production]),
        new Provider("mitid", "MitID", 1, [Sandbox, Production]),
        new Provider("beid", "Belgian eID card", Provider.ChipBased, [Sandbox, Production]),
        new Provider("bankidno", "BankID NO", 1, [Production]),
        new Provider("freja", "Freja eID", 1, [Sandbox, Production]),
    }.ToDictionary(p => p.Id);

    /// <summary>Enables every registered provider except freja, plus one that is not registered.</summary>
    private static readonly App Bank = new("FK5b0KSM", "ws_acme", "Acme Bank", ["smartid", "mitid", "beid", "bankidno", "bankidse", "ghost"]);

    private static IReadOnlyList<string> Resolved(Outcome outcome) =>
        Assert.IsType<ProviderEligibility.Resolved>(outcome).ProviderIds;

    private static IReadOnlyList<Refusal> Refusals(Outcome outcome) =>
        Assert.IsType<Refused>(outcome).Refusals;

    [Fact]
    public void Explicit_eligible_providers_resolve_in_the_callers_order()
    {
        var outcome = Resolve(["mitid", "bankidse", "smartid"], Bank, Registered, Sandbox);
        Assert.Equal(["mitid", "bankidse", "smartid"], Resolved(outcome));
    }

    [Theory]
    [InlineData("nope", Unknown)]
    [InlineData("ghost", Unknown)]
    [InlineData("freja", NotEnabledForApp)]
    [InlineData("beid", ChipBased)]
    [InlineData("bankidno", NotAvailableInEnvironment)]
    public void Each_ineligible_provider_is_refused_with_its_reason(string id, string reason)
    {
        var refusal = Assert.Single(Refusals(Resolve(["smartid", id], Bank, Registered, Sandbox)));

        Assert.Equal(id, refusal.ProviderId);
        Assert.Equal(reason, refusal.Reason);
        Assert.False(string.IsNullOrWhiteSpace(refusal.Message));
    }

    [Fact]
    public void Provider_ids_are_matched_case_sensitively()
    {
        var refusal = Assert.Single(Refusals(Resolve(["SmartID"], Bank, Registered, Sandbox)));
        Assert.Equal(("SmartID", Unknown), (refusal.ProviderId, refusal.Reason));
    }

    [Fact]
    public void Several_refused_providers_are_each_listed_in_the_callers_order()
    {
        var outcome = Resolve(["bankidno", "smartid", "nope", "beid", "freja"], Bank, Registered, Sandbox);

        Assert.Equal(
            [("bankidno", NotAvailableInEnvironment), ("nope", Unknown), ("beid", ChipBased), ("freja", NotEnabledForApp)],
            Refusals(outcome).Select(r => (r.ProviderId, r.Reason)));
    }

    [Fact]
    public void Refusal_message_names_the_provider()
    {
        var refusal = Assert.Single(Refusals(Resolve(["freja"], Bank, Registered, Sandbox)));
        Assert.Contains("Freja eID", refusal.Message);
        Assert.Contains(Bank.Id, refusal.Message);
    }

    [Fact]
    public void Chip_based_is_reported_even_in_an_environment_where_it_is_available()
    {
        var refusal = Assert.Single(Refusals(Resolve(["beid"], Bank, Registered, Production)));
        Assert.Equal(ChipBased, refusal.Reason);
    }

    [Fact]
    public void Omitted_providers_resolve_to_the_apps_eligible_ones_sorted_by_id()
    {
        var outcome = Resolve(null, Bank, Registered, Sandbox);
        Assert.Equal(["bankidse", "mitid", "smartid"], Resolved(outcome));
    }

    [Fact]
    public void Omitted_providers_are_sorted_ordinally()
    {
        var registered = new[]
        {
            new Provider("b", "b", 1, [Sandbox]),
            new Provider("B", "B", 1, [Sandbox]),
            new Provider("a", "a", 1, [Sandbox]),
            new Provider("Z", "Z", 1, [Sandbox]),
        }.ToDictionary(p => p.Id);
        var app = new App("c", "w", "App", ["b", "a", "Z", "B"]);

        // Ordinal: upper case letters sort before lower case ones.
        Assert.Equal(["B", "Z", "a", "b"], Resolved(Resolve(null, app, registered, Sandbox)));
    }

    [Fact]
    public void Omitted_providers_listed_twice_on_the_app_appear_once()
    {
        var app = new App("c", "w", "App", ["smartid", "mitid", "smartid"]);
        Assert.Equal(["mitid", "smartid"], Resolved(Resolve(null, app, Registered, Sandbox)));
    }

    [Fact]
    public void Omitted_providers_with_none_eligible_is_none_eligible()
    {
        var app = new App("c", "w", "Card shop", ["beid", "bankidno", "ghost"]);
        Assert.IsType<NoneEligible>(Resolve(null, app, Registered, Sandbox));
    }

    [Fact]
    public void Omitted_providers_on_an_app_without_providers_is_none_eligible()
    {
        var app = new App("c", "w", "Empty", []);
        Assert.IsType<NoneEligible>(Resolve(null, app, Registered, Production));
    }

    [Fact]
    public void Environment_changes_which_providers_are_eligible()
    {
        Assert.Equal(["bankidno", "bankidse", "mitid", "smartid"], Resolved(Resolve(null, Bank, Registered, Production)));
        Assert.Equal(["bankidse", "mitid", "smartid"], Resolved(Resolve(null, Bank, Registered, Sandbox)));

        Assert.Equal(["bankidno"], Resolved(Resolve(["bankidno"], Bank, Registered, Production)));
        Assert.Equal(NotAvailableInEnvironment, Assert.Single(Refusals(Resolve(["bankidno"], Bank, Registered, Sandbox))).Reason);
    }

    [Fact]
    public void Production_only_app_is_none_eligible_in_sandbox_but_resolved_in_production()
    {
        var app = new App("c", "w", "Norway", ["bankidno"]);
        Assert.IsType<NoneEligible>(Resolve(null, app, Registered, Sandbox));
        Assert.Equal(["bankidno"], Resolved(Resolve(null, app, Registered, Production)));
    }

    [Fact]
    public void RefusalOf_an_eligible_provider_is_null() =>
        Assert.Null(RefusalOf("smartid", Bank, Registered, Sandbox));
}
