namespace ProductionTests.IntegrationTests.Infrastructure;

/// <summary>
/// One request's booking calls at tpas-stub. <see cref="Challenges"/> is the contract with tpas-backend (one
/// challenge per request, never two); <see cref="Calls"/> is how many calls it took (retries and redeliveries
/// are allowed; a call for a request that was never committed is a phantom).
/// </summary>
/// <param name="Answers">Calls by the status they were answered with ("201", "200", "503"...).</param>
/// <param name="LostAnswers">Calls that created the challenge and were answered 503 anyway (the stub's LostAnswerRate).</param>
public sealed record StubBookings(int Calls, int Challenges, IReadOnlyDictionary<string, int> Answers, int LostAnswers)
{
    public int Answered(int status) => Answers.GetValueOrDefault(status.ToString());
}
