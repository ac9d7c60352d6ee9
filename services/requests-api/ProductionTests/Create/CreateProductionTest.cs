namespace ProductionTests.RequestsApi.ProductionTests.Create;

/// <summary>A create body that passed validation, defaults applied.</summary>
/// <param name="ProviderIds">Null when omitted: every eligible provider of the app.</param>
public sealed record CreateProductionTest(
    string Title,
    string? Description,
    IReadOnlyList<string>? ProviderIds,
    string? TargetPlatform,
    int MaxStamps,
    bool AllowDuplicateParticipation);

/// <summary>The create body as documented in OpenAPI. The endpoint reads the JSON itself to name every refused field.</summary>
/// <param name="Title">Required, 1 to 200 characters, not only spaces.</param>
/// <param name="Description">At most 1000 characters.</param>
/// <param name="ProviderIds">Provider ids, each eligible for the app; omit for every eligible provider.</param>
/// <param name="TargetPlatform"><c>ios</c> or <c>android</c>; omit for both.</param>
/// <param name="MaxStamps">How many stamps may be claimed, at least 1; default 3.</param>
/// <param name="AllowDuplicateParticipation">Whether one user may take part twice with the same provider; default false.</param>
public sealed record CreateProductionTestBody(
    string Title,
    string? Description,
    IReadOnlyList<string>? ProviderIds,
    string? TargetPlatform,
    int? MaxStamps,
    bool? AllowDuplicateParticipation);
