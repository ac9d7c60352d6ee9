using ProductionTests.TpasStub.Faults;
using ProductionTests.TpasStub.Infrastructure;

namespace ProductionTests.TpasStub.Participations;

public static class ParticipationsEndpoints
{
    public static IServiceCollection AddParticipations(this IServiceCollection services)
    {
        services.AddSingleton<ParticipationStore>();
        return services;
    }

    public static IEndpointRouteBuilder MapParticipations(this IEndpointRouteBuilder routes)
    {
        // Down and LatencyMs apply as on every /v1 endpoint; ErrorRate and the refusal knobs only to challenge creation.
        var challenge = routes.MapGroup("/v1/challenges/{id}").AddEndpointFilter<FaultFilter>();

        challenge.MapPost("/participations", ParticipateEndpoint.Handle);

        challenge.MapGet("/participations", (string id, ParticipationStore participations) =>
            participations.List(id) is { } list ? TypedResults.Ok(list) : Problem.NoChallenge(id));

        challenge.MapGet("/stats", (string id, ParticipationStore participations) =>
            participations.Stats(id) is { } stats ? TypedResults.Ok(stats) : Problem.NoChallenge(id));

        return routes;
    }
}
