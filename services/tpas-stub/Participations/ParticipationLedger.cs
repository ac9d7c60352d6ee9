namespace ProductionTests.TpasStub.Participations;

/// <summary>
/// One challenge's participations, in the order they were recorded. Not thread-safe by itself: hold
/// <see cref="Gate"/> for every read and write, so that checking the rules, counting the stamps and
/// recording are one step per challenge.
/// </summary>
public sealed class ParticipationLedger
{
    private readonly List<Participation> _participations = [];

    public Lock Gate { get; } = new();

    public IReadOnlyList<Participation> Participations => _participations;

    public int Claims { get; private set; }

    public void Add(Participation participation)
    {
        _participations.Add(participation);
        if (participation.StampClaimed) Claims++;
    }
}
