using ProductionTests.TpasStub.Bookings;
using ProductionTests.TpasStub.Challenges;
using ProductionTests.TpasStub.Faults;
using ProductionTests.TpasStub.Infrastructure;
using ProductionTests.TpasStub.Participations;

namespace ProductionTests.TpasStub;

/// <summary>
/// A stand-in for tpas-backend, the external challenge backend: creates challenges idempotently on the
/// request id, records participations under the challenge's rules and misbehaves on demand (latency,
/// errors, refusals, down). Everything is kept in memory, so a restart forgets every challenge; it is a
/// test stub, not a backend. Time is read only from the registered <see cref="TimeProvider"/>.
/// </summary>
public static class TpasStubApp
{
    /// <param name="configure">
    /// Runs after the stub's own registrations, so it can override settings (<c>UseUrls</c>,
    /// <c>UseSetting</c>) and replace services such as <see cref="TimeProvider"/>.
    /// </param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new UtcTimestampConverter()));
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c => c.ProblemDetails.Extensions.Remove("traceId"));
        services.AddHealthChecks();
        services.AddChallenges();
        services.AddParticipations();
        services.AddFaults();
        services.AddBookings();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseBookingCounter();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapHealthChecks("/health/live");
        app.MapChallenges();
        app.MapParticipations();
        app.MapChallengesAdmin();
        app.MapFaultsAdmin();
        app.MapBookingsAdmin();
        return app;
    }
}
