using ProductionTests.RequestsApi.ReferenceData;

namespace ProductionTests.UnitTests;

public class ReferenceDataFileTests
{
    private const string GoodHash = "a5144ac66b5614f59aee5ef780b45eb8e701171b45a5ff1c6a29d0467c5c7a61";
    private const string OtherHash = "42f1b06aec7303210d6ccc524ecacc14b7e1061b959cb5b9a0064f5c839d5830";

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Platform.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"No folder holding Platform.sln above {AppContext.BaseDirectory}.");
    }

    private static ReferenceDataFile.ProviderEntry Provider(string id, params string[] environments) =>
        new(id, id.ToUpperInvariant(), 1, environments.Length == 0 ? ["sandbox", "production"] : environments);

    private static ReferenceDataFile.WorkspaceEntry Workspace(
        string id,
        IReadOnlyList<ReferenceDataFile.KeyEntry>? keys = null,
        IReadOnlyList<ReferenceDataFile.AppEntry>? apps = null) =>
        new(id, id, keys ?? [new(GoodHash, "key")], apps ?? [new($"app_{id}", "App", ["smartid"])]);

    private static ReferenceDataFile Data(
        IReadOnlyList<ReferenceDataFile.ProviderEntry>? providers = null,
        params ReferenceDataFile.WorkspaceEntry[] workspaces) =>
        new(providers ?? [Provider("smartid"), Provider("mitid")], workspaces.Length == 0 ? [Workspace("ws_a")] : workspaces);

    [Fact]
    public void Demo_data_parses_and_has_no_problems()
    {
        var file = ReferenceDataFile.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "deploy", "demo-data.json")));

        Assert.Empty(file.Problems());
        Assert.Equal(6, file.Providers.Count);
        Assert.Equal(["ws_acme", "ws_globex"], file.Workspaces.Select(w => w.Id));

        var beid = Assert.Single(file.Providers, p => p.Id == "beid");
        Assert.Equal(("Belgian eID card", 2), (beid.Name, beid.Type));
        Assert.Equal(["production"], Assert.Single(file.Providers, p => p.Id == "bankidno").Environments);

        var acme = file.Workspaces[0];
        Assert.Equal("Acme Corp", acme.Name);
        Assert.Equal(GoodHash, acme.ApiKeys[0].Sha256);
        Assert.Equal("demo sandbox key", acme.ApiKeys[0].Label);
        var shop = Assert.Single(acme.Apps, a => a.ClientId == "AcS7hop2");
        Assert.Equal("Acme Shop", shop.Name);
        Assert.Equal(["freja", "bankidse"], shop.Providers);
    }

    [Fact]
    public void Parse_reads_camel_case_members()
    {
        var file = ReferenceDataFile.Parse($$"""
            {
              "providers": [{ "id": "smartid", "name": "Smart-ID", "type": 1, "environments": ["sandbox"] }],
              "workspaces": [{
                "id": "ws_x", "name": "X",
                "apiKeys": [{ "sha256": "{{GoodHash}}", "label": "k" }],
                "apps": [{ "clientId": "C1", "name": "App", "providers": ["smartid"] }]
              }]
            }
            """);

        Assert.Empty(file.Problems());
        Assert.Equal(("smartid", "Smart-ID", 1), (file.Providers[0].Id, file.Providers[0].Name, file.Providers[0].Type));
        Assert.Equal(["sandbox"], file.Providers[0].Environments);
        Assert.Equal("C1", file.Workspaces[0].Apps[0].ClientId);
        Assert.Equal(GoodHash, file.Workspaces[0].ApiKeys[0].Sha256);
    }

    [Fact]
    public void Parse_of_null_throws() =>
        Assert.Throws<InvalidDataException>(() => ReferenceDataFile.Parse("null"));

    [Fact]
    public void A_consistent_file_has_no_problems() =>
        Assert.Empty(Data().Problems());

    [Fact]
    public void Upper_case_hash_is_accepted() =>
        Assert.Empty(Data(null, Workspace("ws_a", keys: [new(GoodHash.ToUpperInvariant(), "key")])).Problems());

    [Theory]
    [InlineData("")]
    [InlineData("not-a-hash")]
    [InlineData("a5144ac66b5614f59aee5ef780b45eb8e701171b45a5ff1c6a29d0467c5c7a6")] // 63
    [InlineData("a5144ac66b5614f59aee5ef780b45eb8e701171b45a5ff1c6a29d0467c5c7a610")] // 65
    [InlineData("g5144ac66b5614f59aee5ef780b45eb8e701171b45a5ff1c6a29d0467c5c7a61")]
    [InlineData("sk_workspace_test_abcdefghijklmnop")]
    public void Bad_hash_is_a_problem(string sha256)
    {
        var problem = Assert.Single(Data(null, Workspace("ws_a", keys: [new(sha256, "bad key")])).Problems());
        Assert.Contains("ws_a", problem);
        Assert.Contains("bad key", problem);
    }

    [Fact]
    public void Unregistered_provider_on_an_app_is_a_problem()
    {
        var file = Data(null, Workspace("ws_a", apps: [new("APP1", "App", ["smartid", "freja"])]));

        var problem = Assert.Single(file.Problems());
        Assert.Contains("APP1", problem);
        Assert.Contains("freja", problem);
    }

    [Fact]
    public void Provider_registered_elsewhere_may_be_used_by_an_app()
    {
        var file = Data(null, Workspace("ws_a", apps: [new("APP1", "App", ["smartid", "freja"])]));

        Assert.Empty(file.Problems(registeredElsewhere: ["freja"]));
        Assert.Contains("freja", Assert.Single(file.Problems(registeredElsewhere: ["bankidno"])));
    }

    [Fact]
    public void Duplicate_provider_is_a_problem() =>
        Assert.Contains("smartid", Assert.Single(Data([Provider("smartid"), Provider("smartid")]).Problems()));

    [Fact]
    public void Duplicate_workspace_is_a_problem()
    {
        var file = Data(null,
            Workspace("ws_a", keys: [new(GoodHash, "a")], apps: [new("A1", "A", ["smartid"])]),
            Workspace("ws_a", keys: [new(OtherHash, "b")], apps: [new("A2", "A", ["smartid"])]));

        Assert.Contains("ws_a", Assert.Single(file.Problems()));
    }

    [Fact]
    public void Duplicate_app_across_workspaces_is_a_problem()
    {
        var file = Data(null,
            Workspace("ws_a", keys: [new(GoodHash, "a")], apps: [new("SAME", "A", ["smartid"])]),
            Workspace("ws_b", keys: [new(OtherHash, "b")], apps: [new("SAME", "B", ["mitid"])]));

        Assert.Contains("SAME", Assert.Single(file.Problems()));
    }

    [Fact]
    public void Duplicate_key_differing_only_in_case_is_a_problem()
    {
        var file = Data(null,
            Workspace("ws_a", keys: [new(GoodHash, "a")], apps: [new("A1", "A", ["smartid"])]),
            Workspace("ws_b", keys: [new(GoodHash.ToUpperInvariant(), "b")], apps: [new("A2", "B", ["mitid"])]));

        Assert.Contains(GoodHash, Assert.Single(file.Problems()));
    }

    [Theory]
    [InlineData("staging")]
    [InlineData("Production")]
    [InlineData("")]
    public void Bad_environment_name_is_a_problem(string environment)
    {
        var problem = Assert.Single(Data([Provider("smartid", "sandbox", environment), Provider("mitid")]).Problems());
        Assert.Contains("smartid", problem);
    }

    [Fact]
    public void Several_problems_are_all_reported()
    {
        var file = Data(
            [Provider("smartid", "dev"), Provider("smartid")],
            Workspace("ws_a", keys: [new("xyz", "k")], apps: [new("A1", "A", ["nope"])]));

        Assert.Equal(4, file.Problems().Count);
    }
}
