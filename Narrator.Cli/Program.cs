using System.CommandLine;

var root = new RootCommand("narrator — plan, extract and describe video clips with a Qwen2.5-VL model package.");
// Each command lives in Commands/<Name>Command.cs and is added here.
root.Subcommands.Add(Narrator.Cli.Commands.TokenizeCommand.Create());
root.Subcommands.Add(Narrator.Cli.Commands.PositionsCommand.Create());
root.Subcommands.Add(Narrator.Cli.Commands.TemplatesCommand.Create());
return await root.Parse(args).InvokeAsync();
