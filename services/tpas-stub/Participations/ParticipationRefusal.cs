using ProductionTests.TpasStub.Infrastructure;

namespace ProductionTests.TpasStub.Participations;

/// <summary>Why a challenge's rules refuse a participation: the problem+json answer, before it is one.</summary>
public sealed record ParticipationRefusal(int Status, string Code, string Detail)
{
    public IResult ToResult() => Problem.Of(Status, Code, Detail);
}
