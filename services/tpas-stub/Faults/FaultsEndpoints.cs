using ProductionTests.TpasStub.Infrastructure;

namespace ProductionTests.TpasStub.Faults;

/// <summary>
/// <c>/admin/faults</c>: read, replace or clear the knobs at run time. Not subject to the faults
/// themselves, so a test can always bring the stub back.
/// </summary>
public static class FaultsEndpoints
{
    public const string Section = "Faults";

    public static IServiceCollection AddFaults(this IServiceCollection services)
    {
        services.AddSingleton(provider =>
        {
            var section = provider.GetRequiredService<IConfiguration>().GetSection(Section);
            var knobs = section.Get<FaultKnobs>() ?? FaultKnobs.None;
            if (knobs.Refusal() is { } invalid) throw new InvalidOperationException($"Configuration section {Section}: {invalid}");
            return new FaultSettings(knobs, section.GetValue<int?>("Seed"));
        });
        return services;
    }

    public static IEndpointRouteBuilder MapFaultsAdmin(this IEndpointRouteBuilder routes)
    {
        // Resolved now so that invalid configured knobs stop the start rather than the first request.
        routes.ServiceProvider.GetRequiredService<FaultSettings>();

        var admin = routes.MapGroup("/admin/faults");

        admin.MapGet("", (FaultSettings faults) => TypedResults.Ok(faults.Current));

        admin.MapPut("", async (HttpContext http, FaultSettings faults) =>
        {
            var body = await JsonBody.ReadAsync<FaultKnobs>(http, Problem.InvalidFaults);
            if (body.Refusal is not null) return body.Refusal;
            if (body.Value!.Refusal() is { } invalid) return Problem.Of(400, Problem.InvalidFaults, invalid);
            faults.Replace(body.Value);
            return TypedResults.Ok(faults.Current);
        });

        admin.MapPost("/reset", (FaultSettings faults) =>
        {
            faults.Replace(FaultKnobs.None);
            return TypedResults.Ok(faults.Current);
        });

        return routes;
    }
}
