using System.IO.Compression;

namespace Narrator.Model.Text;

/// <summary>
/// The Qwen tokenizer files shipped inside Narrator.Model (gzip-compressed resources, Apache-2.0, same byte-level BPE
/// vocabulary and merges as Qwen2.5-VL), so a model package can be written and tokenized anywhere without a download.
/// </summary>
public static class BundledTokenizer
{
    public const string TokenizerJsonFileName = "tokenizer.json";
    public const string TokenizerConfigFileName = "tokenizer_config.json";

    private const string ResourcePrefix = "Narrator.Model.Text.Data.";

    /// <summary>Opens the decompressed tokenizer.json.</summary>
    public static Stream OpenTokenizerJson() => Open(TokenizerJsonFileName);

    /// <summary>Opens the decompressed tokenizer_config.json.</summary>
    public static Stream OpenTokenizerConfig() => Open(TokenizerConfigFileName);

    public static byte[] ReadTokenizerJson() => ReadAll(TokenizerJsonFileName, 11_500_000);

    public static byte[] ReadTokenizerConfig() => ReadAll(TokenizerConfigFileName, 16_384);

    /// <summary>Writes tokenizer.json and tokenizer_config.json into <paramref name="directory"/> (a model package).</summary>
    public static async Task WriteToAsync(string directory, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(directory);
        foreach (var name in new[] { TokenizerJsonFileName, TokenizerConfigFileName })
        {
            await using var source = Open(name);
            await using var target = File.Create(Path.Combine(directory, name));
            await source.CopyToAsync(target, cancellationToken);
        }
    }

    private static Stream Open(string fileName)
    {
        var compressed = typeof(BundledTokenizer).Assembly.GetManifestResourceStream(ResourcePrefix + fileName + ".gz")
            ?? throw new InvalidOperationException($"Narrator.Model was built without the bundled {fileName} resource.");
        return new GZipStream(compressed, CompressionMode.Decompress);
    }

    private static byte[] ReadAll(string fileName, int expectedLength)
    {
        using var stream = Open(fileName);
        using var buffer = new MemoryStream(expectedLength);
        stream.CopyTo(buffer);
        return buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
    }
}
