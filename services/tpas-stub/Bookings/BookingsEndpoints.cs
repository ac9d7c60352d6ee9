namespace ProductionTests.TpasStub.Bookings;

public static class BookingsEndpoints
{
    public static IServiceCollection AddBookings(this IServiceCollection services) => services.AddSingleton<BookingLedger>();

    public static IApplicationBuilder UseBookingCounter(this IApplicationBuilder app) => app.UseMiddleware<BookingCounter>();

    /// <summary><c>/admin/bookings</c>: what each key's booking calls were answered; not subject to the faults.</summary>
    public static IEndpointRouteBuilder MapBookingsAdmin(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/admin/bookings");
        admin.MapGet("", (BookingLedger ledger) => TypedResults.Ok(ledger.All()));
        // A key never called answers zero calls, so "no call at all" reads the same way as any other count.
        admin.MapGet("/{key}", (string key, BookingLedger ledger) => TypedResults.Ok(ledger.For(key)));
        return routes;
    }
}
