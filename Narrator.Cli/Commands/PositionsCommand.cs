using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Narrator.Model;
using Narrator.Model.Media;
using Narrator.Model.Positions;
using Narrator.Model.Text;
using Narrator.Model.Vision;

namespace Narrator.Cli.Commands;

/// <summary>
/// <c>narrator positions</c>: 3-D M-RoPE position ids and rope delta for a list of token ids, printed as
/// <c>{"positionIds":[[t...],[h...],[w...]],"ropeDelta":D}</c>.
/// </summary>
internal static class PositionsCommand
{
    public static Command Create()
    {
        var idsFile = new Option<FileInfo>("--ids-file")
        {
            Description = "token ids: JSON {\"ids\":[...]}, a JSON array, or whitespace-separated integers",
            Required = true,
        };
        var imageGrid = new Option<string[]>("--image-grid")
        {
            Description = "t,h,w patch grid of the image block(s); give once for all blocks or once per block",
        };
        var videoGrid = new Option<string[]>("--video-grid")
        {
            Description = "t,h,w patch grid of the video block(s); give once for all blocks or once per block",
        };
        var secondPerGridT = new Option<double?>("--second-per-grid-t")
        {
            Description = "seconds spanned by one temporal patch group of the video (2 / sample fps); default 1.0",
        };
        var tokensPerSecond = new Option<float>("--tokens-per-second")
        {
            Description = "time-axis positions per second of video",
            DefaultValueFactory = _ => RopeIndexOptions.Qwen25VL.TokensPerSecond,
        };

        var command = new Command("positions", "Compute Qwen2.5-VL 3-D M-RoPE position ids and the rope delta for token ids.");
        command.Options.Add(idsFile);
        command.Options.Add(imageGrid);
        command.Options.Add(videoGrid);
        command.Options.Add(secondPerGridT);
        command.Options.Add(tokensPerSecond);
        CommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var file = parseResult.GetValue(idsFile)!;
            int[] ids = await IdsFile.ReadAsync(file.FullName, cancellationToken);
            string[] images = parseResult.GetValue(imageGrid) ?? [];
            string[] videos = parseResult.GetValue(videoGrid) ?? [];
            double? seconds = parseResult.GetValue(secondPerGridT);
            if (seconds is not null && videos.Length == 0)
            {
                throw new UserInputException("--second-per-grid-t only applies together with --video-grid.");
            }
            float tps = parseResult.GetValue(tokensPerSecond);
            if (!(float.IsFinite(tps) && tps >= 0))
            {
                throw new UserInputException($"--tokens-per-second must be a finite number >= 0, not {tps.ToString(CultureInfo.InvariantCulture)}.");
            }

            var rope = new RopeIndex(RopeIndexOptions.Qwen25VL with { TokensPerSecond = tps });
            var blocks = new List<VisualBlock>();
            AddBlocks(blocks, rope, ids, MediaKind.Image, images, "--image-grid", 0);
            AddBlocks(blocks, rope, ids, MediaKind.Video, videos, "--video-grid", seconds ?? 1.0);
            var positions = rope.Compute(ids, blocks);

            await using var stdout = Console.OpenStandardOutput();
            await using (var json = new Utf8JsonWriter(stdout))
            {
                json.WriteStartObject();
                json.WriteStartArray("positionIds");
                for (int axis = 0; axis < 3; axis++)
                {
                    json.WriteStartArray();
                    foreach (long value in positions.Axis(axis))
                    {
                        json.WriteNumberValue(value);
                    }
                    json.WriteEndArray();
                }
                json.WriteEndArray();
                json.WriteNumber("ropeDelta", positions.RopeDelta);
                json.WriteEndObject();
            }
            stdout.WriteByte((byte)'\n');
            return 0;
        });
        return command;
    }

    // One grid applies to every block of its kind; several must match the blocks one to one.
    private static void AddBlocks(List<VisualBlock> blocks, RopeIndex rope, int[] ids, MediaKind kind, string[] grids, string option, double seconds)
    {
        if (grids.Length == 0)
        {
            return;
        }
        int found = rope.CountBlocks(ids, kind);
        int count = grids.Length == 1 ? Math.Max(found, 1) : grids.Length;
        if (grids.Length > 1 && grids.Length != found)
        {
            throw new UserInputException($"{grids.Length} {option} values were given but the ids hold {found} {(kind == MediaKind.Video ? "video" : "image")} block(s).");
        }
        for (int k = 0; k < count; k++)
        {
            var grid = ParseGrid(grids[grids.Length == 1 ? 0 : k], option);
            blocks.Add(new VisualBlock(kind, grid, seconds));
        }
    }

    private static GridThw ParseGrid(string text, string option)
    {
        var parts = text.Split([',', 'x', 'X', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 3
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int t)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int h)
            && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int w)
            && t > 0 && h > 0 && w > 0)
        {
            return new GridThw(t, h, w);
        }
        throw new UserInputException($"{option} must be three positive integers t,h,w (got \"{text}\").");
    }
}
