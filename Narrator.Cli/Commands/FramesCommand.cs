using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using Narrator.Model;
using Narrator.Model.Media;

namespace Narrator.Cli.Commands;

/// <summary><c>narrator frames</c>: the exact frames (as images) or the exact tensor the model would get from a file.</summary>
internal static class FramesCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The video or image to sample." };
        var outDir = new Option<string?>("--out")
        {
            HelpName = "DIR",
            Description = "Folder to write the sampled frames into (frame_000.png, ...) plus frames.json with index, file, timestamp (seconds), width and height.",
        };
        var pixelValues = new Option<string?>("--pixel-values")
        {
            HelpName = "FILE.bin",
            Description = "Write the normalised patches as float32 little-endian [N,1176] to this file, and their shape and grid to the same name with .json.",
        };
        var format = new Option<string>("--format")
        {
            Description = "Image format for --out: png (lossless, default) or jpg.",
            DefaultValueFactory = _ => "png",
        };
        format.AcceptOnlyFromAmong("png", "jpg", "jpeg");
        var frameOptions = new FrameOptionArguments();

        var command = new Command("frames",
            "Sample a file exactly as the model will see it: write the frames as images (--out) and/or the pixel_values tensor (--pixel-values).");
        command.Arguments.Add(file);
        command.Options.Add(outDir);
        command.Options.Add(pixelValues);
        command.Options.Add(format);
        frameOptions.AddTo(command);

        CommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var folder = parseResult.GetValue(outDir);
            var tensorPath = parseResult.GetValue(pixelValues);
            if (folder is null && tensorPath is null)
            {
                throw new UserInputException("frames needs --out DIR, --pixel-values FILE.bin, or both.");
            }
            var tensorJsonPath = tensorPath is null ? null : Path.ChangeExtension(tensorPath, ".json");
            if (tensorPath is not null && string.Equals(Path.GetFullPath(tensorPath), Path.GetFullPath(tensorJsonPath!), StringComparison.Ordinal))
            {
                throw new UserInputException($"--pixel-values {tensorPath} would be overwritten by its own .json description; use a .bin name.");
            }
            var options = frameOptions.Read(parseResult);

            var prepared = await new MediaPreparer().PrepareAsync(parseResult.GetValue(file)!, options, cancellationToken);
            foreach (var warning in prepared.Warnings)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"warning: {warning}");
            }

            if (folder is not null)
            {
                var imageFormat = parseResult.GetValue(format) == "png" ? FrameImageFormat.Png : FrameImageFormat.Jpeg;
                await WriteImagesAsync(folder, prepared.Frames, imageFormat, cancellationToken);
                await output.WriteLineAsync($"wrote {prepared.Frames.Count} frames of {prepared.Frames.Width}x{prepared.Frames.Height} and frames.json to {folder}");
            }
            if (tensorPath is not null)
            {
                await WriteTensorAsync(tensorPath, tensorJsonPath!, prepared, cancellationToken);
                await output.WriteLineAsync($"wrote pixel_values [{prepared.Grid.PatchCount},1176] (grid {prepared.Grid}) to {tensorPath} and {tensorJsonPath}");
            }
            return 0;
        });
        return command;
    }

    private static async Task WriteImagesAsync(string folder, DecodedFrames frames, FrameImageFormat format, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var extension = format == FrameImageFormat.Png ? "png" : "jpg";
        await using var json = File.Create(Path.Combine(folder, "frames.json"));
        await using var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Indented = true });
        writer.WriteStartArray();
        for (var i = 0; i < frames.Count; i++)
        {
            var name = $"frame_{i:D3}.{extension}";
            await File.WriteAllBytesAsync(Path.Combine(folder, name), FrameImageEncoder.Encode(frames, i, format), cancellationToken);
            writer.WriteStartObject();
            writer.WriteNumber("index", frames.Indices[i]);
            writer.WriteString("file", name);
            writer.WriteNumber("timestamp", Math.Round(frames.TimestampsSeconds[i], 6));
            writer.WriteNumber("width", frames.Width);
            writer.WriteNumber("height", frames.Height);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    private static async Task WriteTensorAsync(string tensorPath, string jsonPath, PreparedMedia prepared, CancellationToken cancellationToken)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(tensorPath)) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }
        var values = prepared.PixelValues;
        if (!BitConverter.IsLittleEndian)
        {
            values = (float[])values.Clone();
            var raw = MemoryMarshal.Cast<float, int>(values.AsSpan());
            System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(raw, raw);
        }
        await using (var stream = File.Create(tensorPath))
        {
            stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
        }

        await using var json = File.Create(jsonPath);
        await using var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("dtype", "float32");
        writer.WriteString("byteOrder", "little");
        writer.WriteStartArray("shape");
        writer.WriteNumberValue(prepared.Grid.PatchCount);
        writer.WriteNumberValue(1176);
        writer.WriteEndArray();
        writer.WriteStartArray("grid");
        writer.WriteNumberValue(prepared.Grid.T);
        writer.WriteNumberValue(prepared.Grid.H);
        writer.WriteNumberValue(prepared.Grid.W);
        writer.WriteEndArray();
        writer.WriteNumber("visualTokens", prepared.Grid.VisualTokens);
        writer.WriteStartArray("indices");
        foreach (var index in prepared.Frames.Indices)
        {
            writer.WriteNumberValue(index);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
