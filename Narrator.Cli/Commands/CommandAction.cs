using System.CommandLine;
using Narrator.Model;

namespace Narrator.Cli.Commands;

/// <summary>Runs a command body and turns user errors into one line on stderr and exit code 2 (no stack trace).</summary>
internal static class CommandAction
{
    public const int UserError = 2;

    public static void Set(Command command, Func<ParseResult, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                return await body(parseResult, cancellationToken);
            }
            catch (UserInputException ex)
            {
                await Console.Error.WriteLineAsync($"error: {ex.Message}");
                return UserError;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync("cancelled");
                return 130;
            }
        });
}
