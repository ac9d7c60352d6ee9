using ProductionTests.TpasStub.Faults;
using ProductionTests.TpasStub.Infrastructure;

namespace ProductionTests.TpasStub.Challenges;

public static class ChallengesEndpoints
{
    public static IServiceCollection AddChallenges(this IServiceCollection services)
    {
        services.AddOptions<ChallengeOptions>().BindConfiguration("Challenges");
        services.AddSingleton<ChallengeStore>();
        return services;
    }

    public static IEndpointRouteBuilder MapChallenges(this IEndpointRouteBuilder routes)
    {
        var v1 = routes.MapGroup("/v1").AddEndpointFilter<FaultFilter>();
        var challenges = v1.MapGroup("/challenges");

        challenges.MapPost("", CreateChallengeEndpoint.Handle);

        challenges.MapGet("/{id}", (string id, ChallengeStore store) =>
            store.Find(id) is { } challenge
                ? TypedResults.Ok(challenge)
                : Problem.NoChallenge(id));

        // With ?requestId=: 0 or 1 challenges, which tests use to count what a request created.
        challenges.MapGet("", (string? requestId, ChallengeStore store) =>
        {
            if (requestId is null) return TypedResults.Ok(store.All());
            IReadOnlyList<Challenge> found = store.FindByRequestId(requestId) is { } challenge ? [challenge] : [];
            return TypedResults.Ok(found);
        });

        return routes;
    }

    /// <summary><c>/admin/challenges</c>: changes tests need to make; not subject to the faults.</summary>
    public static IEndpointRouteBuilder MapChallengesAdmin(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/admin/challenges");

        // For tests of the inactive rule. Once deactivated, every answer carrying the challenge says isActive false.
        admin.MapPost("/{id}/deactivate", (string id, ChallengeStore store) =>
            store.Update(id, c => c with { IsActive = false }) is { } challenge
                ? TypedResults.Ok(challenge)
                : Problem.NoChallenge(id));

        return routes;
    }
}
