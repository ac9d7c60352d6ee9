using System.Runtime.InteropServices;
using ProductionTests.FaultSuite;

// The fault suite: see SuiteOptions.Usage and the README's "Fault suite" section.
SuiteOptions options;
try
{
    options = SuiteOptions.Parse(args);
}
catch (UsageException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(SuiteOptions.Usage);
    return 2;
}
if (options.Help)
{
    Console.WriteLine(SuiteOptions.Usage);
    return 0;
}

var suite = new Suite(options);
using var stop = new CancellationTokenSource();
var interrupts = 0;
// Ctrl-C or SIGTERM: stop the load and the faults, then clean up (services, servers, database, vhost).
// A second Ctrl-C quits at once; the services are still killed on the way out.
Console.CancelKeyPress += (_, e) =>
{
    if (Interlocked.Increment(ref interrupts) > 1) return;
    e.Cancel = true;
    Console.Error.WriteLine("Interrupted: cleaning up (Ctrl-C again to quit at once).");
    stop.Cancel();
};
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});
AppDomain.CurrentDomain.ProcessExit += (_, _) => suite.KillChildren();

try
{
    return await suite.RunAsync(stop.Token);
}
catch (SetupException e)
{
    Console.Error.WriteLine($"fault suite: {e.Message}");
    return 2;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("fault suite: interrupted.");
    return 2;
}
finally
{
    await suite.CleanUpAsync();
}
