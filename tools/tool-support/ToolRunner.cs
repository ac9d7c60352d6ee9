using System.Runtime.InteropServices;

namespace ProductionTests.Tools;

/// <summary>
/// A tool's run with its clean-up guaranteed: Ctrl-C or SIGTERM cancels the run, then the clean-up
/// runs (a second Ctrl-C quits at once; the services are still killed on the way out). A
/// <see cref="SetupException"/> or an interruption is exit code 2.
/// </summary>
public static class ToolRunner
{
    public static async Task<int> RunAsync(string tool, Func<CancellationToken, Task<int>> run, Func<Task> cleanUp, Action killChildren)
    {
        using var stop = new CancellationTokenSource();
        var interrupts = 0;
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
        AppDomain.CurrentDomain.ProcessExit += (_, _) => killChildren();

        try
        {
            return await run(stop.Token);
        }
        catch (SetupException e)
        {
            Console.Error.WriteLine($"{tool}: {e.Message}");
            return 2;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Console.Error.WriteLine($"{tool}: interrupted.");
            return 2;
        }
        finally
        {
            await cleanUp();
        }
    }
}
