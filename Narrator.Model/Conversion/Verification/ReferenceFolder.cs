using System.Runtime.InteropServices;
using System.Text.Json;
using Narrator.Model.Vision;

namespace Narrator.Model.Conversion.Verification;

/// <summary>
/// A folder of transformers reference outputs laid out like hf-tiny (docs/MODEL.md shows the script that writes one):
/// <c>vision/&lt;case&gt;/case.json</c> (pixel_values + grid → merger output) and <c>full/&lt;case&gt;/case.json</c>
/// (prompt ids, vision input, position ids, last-position logits and greedy generations). Float arrays are raw
/// little-endian fp32 files named by the case files, relative to the folder.
/// </summary>
public sealed class ReferenceFolder
{
    private ReferenceFolder(string directory, IReadOnlyList<VisionReferenceCase> vision, IReadOnlyList<FullReferenceCase> full)
    {
        Directory = directory;
        VisionCases = vision;
        FullCases = full;
    }

    public string Directory { get; }

    public IReadOnlyList<VisionReferenceCase> VisionCases { get; }

    public IReadOnlyList<FullReferenceCase> FullCases { get; }

    /// <summary>Reads every case file; a missing folder or a damaged case is a <see cref="UserInputException"/> naming the file.</summary>
    public static ReferenceFolder Open(string directory)
    {
        string root = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(root))
        {
            throw new UserInputException($"Reference folder {root} does not exist.");
        }
        var vision = CaseFiles(root, "vision").Select(path => Read(path, root, VisionReferenceCase.Parse)).ToList();
        var full = CaseFiles(root, "full").Select(path => Read(path, root, FullReferenceCase.Parse)).ToList();
        if (vision.Count == 0 && full.Count == 0)
        {
            throw new UserInputException($"{root} holds no reference cases: expected vision/<case>/case.json or full/<case>/case.json files.");
        }
        return new ReferenceFolder(root, vision, full);
    }

    /// <summary>A raw little-endian fp32 file of the folder, checked to hold <paramref name="count"/> values.</summary>
    public float[] ReadFloats(string relativePath, long count)
    {
        string path = Resolve(relativePath);
        long length = new FileInfo(path).Length;
        if (length != count * sizeof(float))
        {
            throw new UserInputException($"{path} holds {length} bytes; its case file implies {count} fp32 values ({count * sizeof(float)} bytes).");
        }
        var values = new float[count];
        using var stream = File.OpenRead(path);
        stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Reference files are little-endian.");
        }
        return values;
    }

    /// <summary>A raw fp32 file holding <paramref name="rows"/> rows of any one length (pixel values named by a full case).</summary>
    public float[] ReadRows(string relativePath, int rows)
    {
        long length = new FileInfo(Resolve(relativePath)).Length;
        long rowBytes = rows > 0 ? length / rows : 0;
        if (rows <= 0 || rowBytes == 0 || rowBytes * rows != length || rowBytes % sizeof(float) != 0)
        {
            throw new UserInputException($"{Resolve(relativePath)} holds {length} bytes, not {rows} rows of fp32 values.");
        }
        return ReadFloats(relativePath, length / sizeof(float));
    }

    private string Resolve(string relativePath)
    {
        string path = Path.GetFullPath(Path.Combine(Directory, relativePath));
        if (!path.StartsWith(Directory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new UserInputException($"{relativePath} lies outside the reference folder {Directory}.");
        }
        if (!File.Exists(path))
        {
            throw new UserInputException($"{path} is missing (named by a case file of {Directory}).");
        }
        return path;
    }

    private static IEnumerable<string> CaseFiles(string root, string kind)
    {
        string folder = Path.Combine(root, kind);
        return System.IO.Directory.Exists(folder)
            ? System.IO.Directory.GetDirectories(folder).Order(StringComparer.Ordinal).Select(d => Path.Combine(d, "case.json")).Where(File.Exists)
            : [];
    }

    private static T Read<T>(string path, string root, Func<JsonElement, string, T> parse)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return parse(document.RootElement, Path.GetFileName(Path.GetDirectoryName(path)!));
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new UserInputException($"{path} is not a reference case this verifier reads ({ex.Message}).", ex);
        }
    }

    internal static GridThw Grid(JsonElement row) => new(row[0].GetInt32(), row[1].GetInt32(), row[2].GetInt32());

    internal static long[] Shape(JsonElement tensor) => tensor.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
}

/// <summary><c>model.visual(pixel_values, grid_thw)</c>: input patches and the merger output after the reverse window order.</summary>
public sealed record VisionReferenceCase(string Name, IReadOnlyList<GridThw> Grids, string PixelValuesFile, long[] PixelValuesShape,
    string OutputFile, long[] OutputShape)
{
    internal static VisionReferenceCase Parse(JsonElement root, string folderName)
    {
        var pixels = root.GetProperty("pixel_values");
        var output = root.GetProperty("output");
        return new VisionReferenceCase(
            root.TryGetProperty("name", out var name) ? name.GetString()! : folderName,
            root.GetProperty("grid_thw").EnumerateArray().Select(ReferenceFolder.Grid).ToList(),
            pixels.GetProperty("file").GetString()!, ReferenceFolder.Shape(pixels),
            output.GetProperty("file").GetString()!, ReferenceFolder.Shape(output));
    }
}

/// <summary>One prompt through the whole model: positions, last-position logits and greedy generations.</summary>
public sealed record FullReferenceCase
{
    public required string Name { get; init; }

    public required int[] InputIds { get; init; }

    /// <summary>"text", "image" or "video".</summary>
    public required string Kind { get; init; }

    public GridThw? Grid { get; init; }

    public double? SecondPerGridT { get; init; }

    public string? PixelValuesFile { get; init; }

    /// <summary>t, h, w positions axis-major: <c>PositionIds[axis * S + i]</c>.</summary>
    public required long[] PositionIds { get; init; }

    public long RopeDelta { get; init; }

    public required string LastLogitsFile { get; init; }

    public required long LastLogitsCount { get; init; }

    public required IReadOnlyList<ReferenceGeneration> Generations { get; init; }

    internal static FullReferenceCase Parse(JsonElement root, string folderName)
    {
        var ids = root.GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var positions = root.GetProperty("position_ids").EnumerateArray()
            .SelectMany(axis => axis.ValueKind == JsonValueKind.Array && axis.GetArrayLength() > 0 && axis[0].ValueKind == JsonValueKind.Array
                ? axis[0].EnumerateArray() : axis.EnumerateArray())
            .Select(e => e.GetInt64()).ToArray();
        if (positions.Length != 3 * ids.Length)
        {
            throw new FormatException($"position_ids hold {positions.Length} values, not 3 x {ids.Length}");
        }
        var logits = root.GetProperty("last_logits");
        GridThw? grid = root.TryGetProperty("grid_thw", out var grids) && grids.ValueKind == JsonValueKind.Array && grids.GetArrayLength() > 0
            ? ReferenceFolder.Grid(grids[0]) : null;
        double? spg = root.TryGetProperty("second_per_grid_ts", out var seconds) && seconds.ValueKind == JsonValueKind.Array && seconds.GetArrayLength() > 0
            ? seconds[0].GetDouble() : null;
        var generations = new List<ReferenceGeneration>();
        if (root.TryGetProperty("generate", out var generate))
        {
            foreach (var run in generate.EnumerateObject())
            {
                generations.Add(ReferenceGeneration.Parse(run.Name, run.Value));
            }
        }
        return new FullReferenceCase
        {
            Name = root.TryGetProperty("name", out var name) ? name.GetString()! : folderName,
            InputIds = ids,
            Kind = root.TryGetProperty("kind", out var kind) ? kind.GetString()! : grid is null ? "text" : "image",
            Grid = grid,
            SecondPerGridT = spg,
            PixelValuesFile = root.TryGetProperty("pixel_values", out var pixels) && pixels.ValueKind == JsonValueKind.String ? pixels.GetString() : null,
            PositionIds = positions,
            RopeDelta = root.TryGetProperty("rope_deltas", out var delta) && delta.ValueKind == JsonValueKind.Number ? delta.GetInt64() : 0,
            LastLogitsFile = logits.GetProperty("file").GetString()!,
            LastLogitsCount = ReferenceFolder.Shape(logits).Aggregate(1L, (a, b) => a * b),
            Generations = generations,
        };
    }
}

/// <summary>
/// One greedy <c>generate</c> run: its repetition penalty, the new ids, the top-1/top-2 margin of each step (after the
/// penalty) and, when recorded, each step's five largest raw logits.
/// </summary>
public sealed record ReferenceGeneration(string Name, float RepetitionPenalty, int MaxNewTokens, long[] EosTokenIds, int[] NewIds, float[] Margins,
    IReadOnlyList<(int[] Ids, float[] Values)> RawTopLogits)
{
    internal static ReferenceGeneration Parse(string name, JsonElement run)
    {
        var kwargs = run.GetProperty("generate_kwargs");
        var ids = run.GetProperty("new_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        long[] eos = [];
        foreach (var property in kwargs.EnumerateObject())
        {
            if (property.Name.StartsWith("eos_token_id", StringComparison.Ordinal))
            {
                eos = property.Value.ValueKind == JsonValueKind.Array
                    ? property.Value.EnumerateArray().Select(e => e.GetInt64()).ToArray() : [property.Value.GetInt64()];
            }
        }
        float[] margins = run.TryGetProperty("greedy_margin_top1_minus_top2_per_step", out var m)
            ? m.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray() : [];
        var top = new List<(int[], float[])>();
        if (run.TryGetProperty("steps_top5", out var steps))
        {
            foreach (var step in steps.EnumerateArray())
            {
                var raw = step.GetProperty("raw_logits_top5");
                top.Add((raw.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                    raw.GetProperty("values").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray()));
            }
        }
        return new ReferenceGeneration(name,
            kwargs.TryGetProperty("repetition_penalty", out var penalty) ? (float)penalty.GetDouble() : 1f,
            kwargs.TryGetProperty("max_new_tokens", out var max) ? max.GetInt32() : ids.Length,
            eos, ids, margins, top);
    }
}
