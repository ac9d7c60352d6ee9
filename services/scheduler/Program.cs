using ProductionTests.Scheduler;

SchedulerApp.Build(args).Run();

public partial class Program;
