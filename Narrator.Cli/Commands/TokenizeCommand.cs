using System.CommandLine;
using System.Text;
using System.Text.Json;
using Narrator.Model.Text;

namespace Narrator.Cli.Commands;

/// <summary><c>narrator tokenize</c>: the text on stdin (exactly, no trimming) to <c>{"ids":[...]}</c> on stdout.</summary>
internal static class TokenizeCommand
{
    public static Command Create()
    {
        var tokenizerOption = new Option<string?>("--tokenizer")
        {
            Description = "tokenizer.json, or a model folder holding one (default: the Qwen tokenizer bundled with Narrator)",
        };
        var command = new Command("tokenize", "Tokenize the text read from stdin with the Qwen tokenizer; prints {\"ids\":[...]}. Control tokens such as <|im_start|> are parsed as such.");
        command.Options.Add(tokenizerOption);
        CommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var tokenizer = TokenizerSource.Load(parseResult.GetValue(tokenizerOption));
            using var stdin = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
            string text = await stdin.ReadToEndAsync(cancellationToken);
            int[] ids = tokenizer.Encode(text);

            await using var stdout = Console.OpenStandardOutput();
            await using (var json = new Utf8JsonWriter(stdout))
            {
                json.WriteStartObject();
                json.WriteStartArray("ids");
                foreach (int id in ids)
                {
                    json.WriteNumberValue(id);
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            stdout.WriteByte((byte)'\n');
            return 0;
        });
        return command;
    }
}
