using System.CommandLine;
using Narrator.Cli.Commands;

var root = new RootCommand("narrator — plan, extract and describe video clips with a Qwen2.5-VL model package.");
// Each command lives in Commands/<Name>Command.cs and is added here.
root.Subcommands.Add(PlanCommand.Create());
root.Subcommands.Add(FramesCommand.Create());
root.Subcommands.Add(TokenizeCommand.Create());
root.Subcommands.Add(PositionsCommand.Create());
root.Subcommands.Add(TemplatesCommand.Create());
root.Subcommands.Add(TinyModelCommand.Create());
root.Subcommands.Add(ConvertCommand.Create());
root.Subcommands.Add(VerifyCommand.Create());
root.Subcommands.Add(DescribeCommand.Create());
root.Subcommands.Add(BatchCommand.Create());
root.Subcommands.Add(SearchCommand.Create());

var parseResult = root.Parse(args);
if (parseResult.Errors.Count > 0)
{
    // A mistyped command line is a user error: one line and exit 2, like every other one.
    await Console.Error.WriteLineAsync($"error: {string.Join("; ", parseResult.Errors.Select(e => e.Message))} (see --help)");
    return 2;
}
// Ctrl+C cancels the command's token; a batch then saves its results, which can take more than the default 2 s on a busy machine.
return await parseResult.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(15) });
