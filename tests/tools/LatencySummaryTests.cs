using ProductionTests.Benchmark;

namespace ProductionTests.ToolTests;

/// <summary>Nearest-rank percentiles: the smallest sample with at least p of the samples at or below it.</summary>
public sealed class LatencySummaryTests
{
    [Fact]
    public void One_to_a_hundred_has_its_percentiles_at_their_own_ranks()
    {
        var summary = LatencySummary.Of(Enumerable.Range(1, 100).Select(i => (double)i).Reverse());

        Assert.Equal(new LatencySummary(100, 50, 90, 99, 100), summary);
    }

    [Fact]
    public void Ten_samples_round_the_rank_up()
    {
        // ceil(0.5 * 10) = 5th, ceil(0.9 * 10) = 9th, ceil(0.99 * 10) = 10th
        var summary = LatencySummary.Of([10, 1, 9, 2, 8, 3, 7, 4, 6, 5]);

        Assert.Equal(new LatencySummary(10, 5, 9, 10, 10), summary);
    }

    [Fact]
    public void One_sample_is_every_percentile()
    {
        Assert.Equal(new LatencySummary(1, 7, 7, 7, 7), LatencySummary.Of([7]));
    }

    [Fact]
    public void No_samples_is_empty_not_zero()
    {
        var summary = LatencySummary.Of([]);

        Assert.Equal(0, summary.Count);
        Assert.True(double.IsNaN(summary.P50Ms) && double.IsNaN(summary.MaxMs));
    }

    [Fact]
    public void A_single_slow_sample_in_a_hundred_shows_at_p99_only_when_it_is_within_the_top_one_percent()
    {
        var samples = Enumerable.Repeat(1.0, 99).Append(1000).ToList();

        var summary = LatencySummary.Of(samples);

        Assert.Equal(1, summary.P99Ms);
        Assert.Equal(1000, summary.MaxMs);
    }
}
