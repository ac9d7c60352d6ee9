namespace ProductionTests.RequestsApi.ReferenceData;

/// <summary>A customer workspace. Owns API keys and apps.</summary>
public sealed record Workspace(string Id, string Name);

/// <summary>An API key, known only by the SHA-256 of its text (lowercase hex), which is also its id.</summary>
public sealed record ApiKey(string Id, string WorkspaceId, string Label);

/// <summary>An app of a workspace, addressed by its client id; its name is the challenge's host name.</summary>
public sealed record App(string Id, string WorkspaceId, string Name, IReadOnlyList<string> ProviderIds);

/// <summary>A registered eID provider.</summary>
/// <param name="Type">1 is app- or web-based; 2 is chip-based (card readers), never eligible for production tests.</param>
/// <param name="Environments">The deployment environments (<c>sandbox</c>, <c>production</c>) it is available in.</param>
public sealed record Provider(string Id, string Name, int Type, IReadOnlyList<string> Environments)
{
    public const int ChipBased = 2;
}
