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
return await ToolRunner.RunAsync("fault suite", suite.RunAsync, suite.CleanUpAsync, suite.KillChildren);
