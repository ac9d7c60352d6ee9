using Marten;

namespace ProductionTests.IntegrationTests.Infrastructure;

/// <summary>The platform most tests share (one collection, so they run one after another).</summary>
public sealed class ApiFixture : IAsyncLifetime
{
    public TestPlatform Platform { get; private set; } = null!;
    public ApiFactory Sandbox => Platform.Sandbox;
    public ApiFactory Production => Platform.Production;
    public string ConnectionString => Platform.ConnectionString;
    public IDocumentStore Store => Platform.Store;

    /// <summary>Another sandbox instance, on a real Kestrel port (started on first use).</summary>
    public KestrelApi Kestrel => _kestrel ??= new KestrelApi(Platform);
    private KestrelApi? _kestrel;

    public async Task InitializeAsync() => Platform = await TestPlatform.StartAsync();

    public async Task DisposeAsync()
    {
        if (_kestrel is not null) await _kestrel.DisposeAsync();
        if (Platform is not null) await Platform.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "the platform on PostgreSQL and RabbitMQ";
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
