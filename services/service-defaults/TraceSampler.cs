using System.Diagnostics;
using OpenTelemetry.Trace;

namespace ProductionTests.ServiceDefaults;

/// <summary>
/// Which new traces are kept (the root sampler under <see cref="ParentBasedSampler"/>: a span with a parent
/// follows its parent's decision, so a trace is kept or dropped whole, across services, through the relay's
/// stored <c>traceparent</c>):
/// <list type="bullet">
/// <item>a span linked to a kept span is kept (a batch's span, when one of its requests is traced);</item>
/// <item>a client span outside any trace is dropped: in practice Npgsql's commands of the relay's polling,
/// health checks and the listener, dozens a second that tell no request's story;</item>
/// <item>any other new trace is kept while at most <c>perSecond</c> were kept in the last second: every
/// request while a person clicks around, a bounded cost under load (docs/decisions/0017).</item>
/// </list>
/// </summary>
public sealed class TraceSampler(double perSecond, TimeProvider clock) : Sampler
{
    private readonly Lock _gate = new();
    private readonly long _refillTicks = perSecond > 0 ? (long)(TimeSpan.TicksPerSecond / perSecond) : long.MaxValue;
    private double _tokens = Math.Max(1, perSecond);
    private long _last = clock.GetTimestamp();

    public override SamplingResult ShouldSample(in SamplingParameters parameters)
    {
        if (parameters.Links is { } links)
            foreach (var link in links)
                if ((link.Context.TraceFlags & ActivityTraceFlags.Recorded) != 0) return new SamplingResult(SamplingDecision.RecordAndSample);

        if (parameters.Kind == ActivityKind.Client) return new SamplingResult(SamplingDecision.Drop);
        return new SamplingResult(TakeToken() ? SamplingDecision.RecordAndSample : SamplingDecision.Drop);
    }

    private bool TakeToken()
    {
        if (_refillTicks == long.MaxValue) return false;
        lock (_gate)
        {
            var now = clock.GetTimestamp();
            var elapsed = clock.GetElapsedTime(_last, now).Ticks;
            _last = now;
            _tokens = Math.Min(Math.Max(1, perSecond), _tokens + (double)elapsed / _refillTicks);
            if (_tokens < 1) return false;
            _tokens -= 1;
            return true;
        }
    }
}
