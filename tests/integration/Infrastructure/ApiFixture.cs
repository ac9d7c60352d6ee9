using Marten;
using Microsoft.Extensions.DependencyInjection;
using ProductionTests.RequestsApi.ReferenceData;

namespace ProductionTests.IntegrationTests.Infrastructure;

/// <summary>
/// One test database with the demo reference data (deploy/demo-data.json) and a few test-only apps,
/// served by a sandbox and a production instance of requests-api.
/// </summary>
public sealed class ApiFixture : IAsyncLifetime
{
    private TestPostgres? _postgres;

    public ApiFactory Sandbox { get; private set; } = null!;
    public ApiFactory Production { get; private set; } = null!;
    public string ConnectionString => _postgres!.ConnectionString;

    public async Task InitializeAsync()
    {
        _postgres = await TestPostgres.StartAsync();
        Sandbox = new ApiFactory(_postgres.ConnectionString, "sandbox");
        Production = new ApiFactory(_postgres.ConnectionString, "production");
        _ = Sandbox.Server; // start it: applies the schema

        var loader = Sandbox.Services.GetRequiredService<ReferenceDataLoader>();
        await loader.LoadAsync(ReferenceDataFile.Parse(await File.ReadAllTextAsync(RepositoryFiles.Path("deploy/demo-data.json"))), CancellationToken.None);
        await loader.LoadAsync(TestData.File, CancellationToken.None);
    }

    public IDocumentStore Store => Sandbox.Services.GetRequiredService<IDocumentStore>();

    public async Task DisposeAsync()
    {
        await Sandbox.DisposeAsync();
        await Production.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "requests-api on PostgreSQL";
}

public static class RepositoryFiles
{
    /// <summary>A file of the repository, found by walking up to the folder that holds Platform.sln.</summary>
    public static string Path(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Platform.sln")))
                return System.IO.Path.Combine(dir.FullName, relative);
        }
        throw new FileNotFoundException($"Platform.sln not found above {AppContext.BaseDirectory}");
    }
}
