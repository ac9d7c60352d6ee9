using ProductionTests.RequestsApi.Authentication;
using ProductionTests.RequestsApi.ReferenceData;

namespace ProductionTests.IntegrationTests.Infrastructure;

/// <summary>The demo keys and apps (deploy/demo-data.json, documented in the README) and a few test-only ones.</summary>
public static class TestData
{
    public const string AcmeKey = "sk_workspace_test_acmeDemoKey0000000001";
    public const string AcmeProdKey = "sk_workspace_prod_acmeDemoKey0000000001";
    public const string GlobexKey = "sk_workspace_test_globexDemoKey000000001";
    public const string AcmeBank = "FK5b0KSM";
    public const string AcmeShop = "AcS7hop2";
    public const string GlobexPay = "GLx7Qp2M";

    public const string TestsKey = "sk_workspace_test_integrationTests000001";
    /// <summary>Only chip-based and production-only providers: nothing eligible in sandbox.</summary>
    public const string NothingEligibleApp = "NoElig01";
    /// <summary>Used by the list tests alone, so its list holds only what they create.</summary>
    public const string ListApp = "ListOrd1";

    /// <summary>Apps of WebhookTests, one per test so that their deliveries never mix.</summary>
    public static readonly string[] WebhookApps = [.. Enumerable.Range(1, 19).Select(i => $"WebHk{i:00}a")];

    public static ReferenceDataFile File => new(
        [],
        [
            new("ws_integration_tests", "Integration tests",
                [new(WorkspaceKeys.Hash(TestsKey), "integration tests")],
                [
                    new(NothingEligibleApp, "Nothing Eligible", ["beid", "bankidno"]),
                    new(ListApp, "List Order", ["bankidse", "smartid"]),
                    .. WebhookApps.Select(id => new ReferenceDataFile.AppEntry(id, $"Webhooks {id}", ["bankidse", "smartid"])),
                ]),
        ]);
}
