using ProductionTests.TpasStub;

TpasStubApp.Build(args).Run();

public partial class Program;
