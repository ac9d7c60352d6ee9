using System.Diagnostics;
using OpenTelemetry.Trace;
using ProductionTests.ServiceDefaults;

namespace ProductionTests.UnitTests;

public sealed class TraceSamplerTests
{
    private sealed class SteppedClock : TimeProvider
    {
        public long Ticks { get; set; }
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Ticks;
    }

    private static SamplingDecision Decide(TraceSampler sampler, ActivityKind kind = ActivityKind.Server, IEnumerable<ActivityLink>? links = null) =>
        sampler.ShouldSample(new SamplingParameters(default, ActivityTraceId.CreateRandom(), "span", kind, links: links)).Decision;

    [Fact]
    public void New_traces_are_kept_up_to_the_rate_and_again_as_time_passes()
    {
        var clock = new SteppedClock();
        var sampler = new TraceSampler(perSecond: 2, clock);
        Assert.Equal([SamplingDecision.RecordAndSample, SamplingDecision.RecordAndSample, SamplingDecision.Drop],
            [Decide(sampler), Decide(sampler), Decide(sampler)]);
        clock.Ticks += TimeSpan.FromMilliseconds(500).Ticks;
        Assert.Equal([SamplingDecision.RecordAndSample, SamplingDecision.Drop], [Decide(sampler), Decide(sampler)]);
    }

    [Fact]
    public void A_batch_linked_to_a_kept_span_is_kept_even_without_tokens()
    {
        var sampler = new TraceSampler(perSecond: 0, new SteppedClock());
        var kept = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var dropped = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None);
        Assert.Equal(SamplingDecision.RecordAndSample, Decide(sampler, ActivityKind.Internal, [new ActivityLink(dropped), new ActivityLink(kept)]));
        Assert.Equal(SamplingDecision.Drop, Decide(sampler, ActivityKind.Internal, [new ActivityLink(dropped)]));
    }

    [Fact]
    public void A_client_span_outside_any_trace_is_dropped()
    {
        var sampler = new TraceSampler(perSecond: 100, new SteppedClock());
        Assert.Equal(SamplingDecision.Drop, Decide(sampler, ActivityKind.Client));
        Assert.Equal(SamplingDecision.RecordAndSample, Decide(sampler, ActivityKind.Server));
    }
}
