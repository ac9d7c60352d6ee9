
namespace ProductionTests.RequestsApi.Create;

/// <summary>A create body that passed validation, defaults applied.</summary>
/// <param name="ProviderIds">Null when omitted: every eligible provider of the app.</param>
public sealed record CreateProductionTest(
    string Title,
    string? Description,
    IReadOnlyList<string>? ProviderIds,
    string? TargetPlatform,
    int MaxStamps,
    bool AllowDuplicateParticipation);
