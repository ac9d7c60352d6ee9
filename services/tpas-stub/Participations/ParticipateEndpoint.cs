using ProductionTests.TpasStub.Challenges;
using ProductionTests.TpasStub.Infrastructure;

namespace ProductionTests.TpasStub.Participations;

/// <summary>
/// POST /v1/challenges/{id}/participations. Order: unknown challenge (404), body (400), then the
/// challenge's rules (<see cref="ParticipationRules"/>: 409/422), then recording (201). A refusal
/// records nothing.
/// </summary>
public static class ParticipateEndpoint
{
    public static async Task<IResult> Handle(
        string id,
        HttpContext http,
        ChallengeStore challenges,
        ParticipationStore participations,
        ILoggerFactory loggers)
    {
        if (challenges.Find(id) is null) return Problem.NoChallenge(id);

        var body = await JsonBody.ReadAsync<CreateParticipationBody>(http, Problem.InvalidParticipation);
        if (body.Refusal is not null) return body.Refusal;
        if (CreateParticipationValidation.Refusal(body.Value!) is { } invalid)
            return Problem.Of(400, Problem.InvalidParticipation, invalid);

        var (participation, refused) = participations.Participate(id, body.Value!);
        if (refused is not null) return refused.ToResult();

        loggers.CreateLogger(typeof(ParticipateEndpoint).FullName!).LogInformation(
            "Recorded participation {ParticipationId} on challenge {ChallengeId}, stamp claimed: {StampClaimed}",
            participation!.Id, id, participation.StampClaimed);
        // No Location: the stub serves participations only as the challenge's list.
        return TypedResults.Created((string?)null, participation);
    }
}
