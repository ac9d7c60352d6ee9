using ProductionTests.TpasStub.Infrastructure;

namespace ProductionTests.TpasStub.Faults;

/// <summary>On every <c>/v1</c> endpoint: wait LatencyMs (on the stub's <see cref="TimeProvider"/>), then answer 503 if Down.</summary>
public sealed class FaultFilter(FaultSettings faults, TimeProvider clock) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var knobs = faults.Current;
        if (knobs.LatencyMs > 0) await Task.Delay(TimeSpan.FromMilliseconds(knobs.LatencyMs), clock, context.HttpContext.RequestAborted);
        if (knobs.Down) return Problem.Unavailable("tpas-backend is down (Faults:Down).");
        return await next(context);
    }
}
