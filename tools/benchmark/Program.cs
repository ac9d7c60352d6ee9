using ProductionTests.Benchmark;

// The benchmark: see BenchmarkOptions.Usage and the README's "Performance" section.
BenchmarkOptions options;
try
{
    options = BenchmarkOptions.Parse(args);
}
catch (UsageException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchmarkOptions.Usage);
    return 2;
}
if (options.Help)
{
    Console.WriteLine(BenchmarkOptions.Usage);
    return 0;
}

var benchmark = new BenchmarkRun(options);
return await ToolRunner.RunAsync("benchmark", benchmark.RunAsync, benchmark.CleanUpAsync, benchmark.KillChildren);
