using ProductionTests.WebhookReceiver;

WebhookReceiverApp.Build(args).Run();

public partial class Program;
