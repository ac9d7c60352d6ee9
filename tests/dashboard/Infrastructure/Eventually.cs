namespace ProductionTests.DashboardTests.Infrastructure;

public static class Eventually
{
    /// <summary>Asks again (every 250 ms) until <paramref name="done"/> holds; gives up after <paramref name="patience"/> with <paramref name="why"/>'s last word.</summary>
    public static async Task<T> GetAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan patience, Func<T, string> why)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException(why(value));
            await Task.Delay(250);
        }
    }
}
