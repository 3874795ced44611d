using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Narrator.Model.Conversion.Checkpoint;
using Narrator.Model.Conversion.Text;
using Narrator.Model.Conversion.Vision;
using Narrator.Model.Onnx;
using DataType = Narrator.Model.Onnx.Proto.TensorProto.Types.DataType;

namespace Narrator.Model.Conversion;

/// <summary>
/// <c>narrator convert</c>: turns a Hugging Face Qwen2.5-VL checkpoint folder into a Narrator model package (vision,
/// embedding and decoder graphs with external data, genai_config.json, tokenizer and preprocessor files). Tensors are
/// converted one at a time and written straight to the package's <c>.onnx.data</c> files, so memory stays bounded by the
/// largest working band (<see cref="CheckpointWeightWriter.BandBytes"/> of fp32) plus an int4 weight's scales, whatever
/// the checkpoint's size. Everything is written into a staging folder beside the output and moved in at the end, so an
/// interrupted conversion leaves no half package.
/// </summary>
public sealed class CheckpointConverter(ILogger? logger = null)
{
    /// <summary>Metadata key of the decoder graph that marks Narrator's random-weight demo model.</summary>
    public const string DemoModelKey = "narrator.demo_model";

    /// <summary>Metadata key naming the text precision a package was converted at.</summary>
    public const string PrecisionKey = "narrator.precision";

    /// <summary>Metadata key of the decoder graph naming its decode-step attention (<see cref="DecodeStepAttention"/>).</summary>
    public const string DecodeAttentionKey = "narrator.decode_attention";

    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public async Task<ConversionResult> ConvertAsync(string checkpointDirectory, string outputDirectory, ConversionOptions options,
        IConversionProgress? progress = null, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        string output = Path.GetFullPath(outputDirectory).TrimEnd(Path.DirectorySeparatorChar);
        string source = Path.GetFullPath(checkpointDirectory).TrimEnd(Path.DirectorySeparatorChar);
        RequireUsableOutput(source, output, options.Overwrite);
        RequireSupportedOptions(options);

        using var checkpoint = HfCheckpoint.Open(source);
        var stage = new StageReporter(progress, _logger);

        stage.Start(ConversionStage.Checking, 0);
        long decoderBytes = DecoderGraphWriter.Check(checkpoint);
        long embeddingBytes = checkpoint.Tensor(EmbeddingGraphWriter.TableName, checkpoint.Config.Text.VocabSize, checkpoint.Config.Text.HiddenSize).ByteLength;
        long visionBytes = checkpoint.TensorNames.Where(IsVisionTensor).Sum(name => checkpoint.Tensor(name).ByteLength);
        stage.Complete();

        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        string staging = output + ".partial-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(staging);
        try
        {
            var metadata = Metadata(checkpoint, options);
            var text = options.Precision;
            DataType activations = OnnxElementTypes.Activations(text, options.Int4);

            var (vision, embedding, decoder) = await Task.Run(() =>
            {
                stage.Start(ConversionStage.Vision, visionBytes);
                var visionConfig = VisionGraphWriter.Write(checkpoint, staging, options.VisionPrecision, cancellationToken);
                stage.Progress(visionBytes);
                stage.Complete();

                stage.Start(ConversionStage.Embedding, embeddingBytes);
                // The vision graph's image_features are fp32 at every vision precision.
                var embeddingConfig = EmbeddingGraphWriter.Write(checkpoint, staging, activations, DataType.Float, metadata, stage.Progress, cancellationToken);
                stage.Complete();

                stage.Start(ConversionStage.Decoder, decoderBytes);
                var decoderConfig = DecoderGraphWriter.Write(checkpoint, staging, text, options.Int4, options.EffectiveDecodeAttention, metadata,
                    stage.Progress, cancellationToken);
                stage.Complete();
                return (visionConfig, embeddingConfig, decoderConfig);
            }, cancellationToken);

            stage.Start(ConversionStage.PackageFiles, 0);
            var config = PackageFiles.Config(checkpoint, decoder, embedding, vision);
            await File.WriteAllTextAsync(Path.Combine(staging, GenAiConfig.FileName), config.ToJson(), cancellationToken);
            var notes = await PackageFiles.CopyAsync(checkpoint, staging, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            MoveInto(staging, output);
            stage.Complete();

            var files = new DirectoryInfo(output).GetFiles().OrderBy(f => f.Name, StringComparer.Ordinal).Select(f => (f.Name, f.Length)).ToList();
            _logger.LogInformation("Converted {Checkpoint} to {Output} ({Precision}, vision {VisionPrecision}) in {Seconds:F1} s",
                source, output, text, options.VisionPrecision, watch.Elapsed.TotalSeconds);
            return new ConversionResult
            {
                OutputDirectory = output,
                Precision = text,
                VisionPrecision = options.VisionPrecision,
                Files = files,
                Elapsed = watch.Elapsed,
                Notes = notes,
            };
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private static bool IsVisionTensor(string name) =>
        name.StartsWith("visual.", StringComparison.Ordinal) || name.StartsWith("model.visual.", StringComparison.Ordinal);

    private static Dictionary<string, string> Metadata(HfCheckpoint checkpoint, ConversionOptions options)
    {
        var metadata = new Dictionary<string, string>
        {
            [PrecisionKey] = options.Precision.ToString().ToLowerInvariant(),
            ["narrator.source"] = Path.GetFileName(checkpoint.Directory),
            [DecodeAttentionKey] = DecodeAttentionName(options.EffectiveDecodeAttention),
        };
        if (options.Precision == TextPrecision.Int4)
        {
            metadata["narrator.int4"] = string.Create(CultureInfo.InvariantCulture,
                $"block_size={options.Int4.BlockSize} accuracy_level={options.Int4.AccuracyLevel} activations={options.Int4.Activations.ToString().ToLowerInvariant()}");
        }
        if (options.DemoModel)
        {
            metadata[DemoModelKey] = "random weights";
        }
        return metadata;
    }

    /// <summary>The decode-step attention as the package metadata and the CLI spell it.</summary>
    public static string DecodeAttentionName(DecodeStepAttention attention) => attention switch
    {
        DecodeStepAttention.GroupedHeads => "grouped",
        _ => "gqa",
    };

    /// <summary>The names <see cref="DecodeAttentionName"/> writes, back to the choice; null (the default) for none.</summary>
    public static DecodeStepAttention? ParseDecodeAttention(string? name) =>
        name is null ? null
        : Enum.GetValues<DecodeStepAttention>().Cast<DecodeStepAttention?>().FirstOrDefault(a => DecodeAttentionName(a!.Value) == name)
            ?? throw new UserInputException($"--decode-attention {name} is not known: use grouped or gqa.");

    private static void RequireSupportedOptions(ConversionOptions options)
    {
        if (options.DecodeAttention == DecodeStepAttention.GroupedHeads
            && OnnxElementTypes.Activations(options.Precision, options.Int4) != DataType.Float)
        {
            throw new UserInputException(
                "--decode-attention grouped needs fp32 activations (--precision fp32, or int4 with --int4-activations fp32): its FusedMatMul has no fp16/bf16 CPU kernel, and fp16/bf16 packages are for CUDA, whose GroupQueryAttention reads each KV head once.");
        }
        if (!Int4Options.BlockSizes.Contains(options.Int4.BlockSize))
        {
            throw new UserInputException($"--int4-block-size {options.Int4.BlockSize} is not supported: use 32, 64 or 128.");
        }
        if (options.Int4.AccuracyLevel is < 0 or > 4)
        {
            throw new UserInputException($"--int4-accuracy-level {options.Int4.AccuracyLevel} is not supported: use 0 (unset), 1 (fp32), 2 (fp16), 3 (bf16) or 4 (int8).");
        }
    }

    private static void RequireUsableOutput(string source, string output, bool overwrite)
    {
        if (IsSameOrInside(output, source) || IsSameOrInside(source, output))
        {
            throw new UserInputException($"The output folder {output} must not be the checkpoint folder {source}, inside it or around it.");
        }
        if (File.Exists(output))
        {
            throw new UserInputException($"{output} is a file; give a folder for the package.");
        }
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any() && !overwrite)
        {
            throw new UserInputException($"{output} already exists and is not empty: pass --overwrite to replace it, or choose another folder.");
        }
    }

    private static bool IsSameOrInside(string path, string folder) =>
        path == folder || path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>Replaces <paramref name="output"/> with the finished staging folder (an old package is removed only now).</summary>
    private static void MoveInto(string staging, string output)
    {
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }
        Directory.Move(staging, output);
    }

    /// <summary>Times the stages, logs them and forwards them to the caller's progress.</summary>
    private sealed class StageReporter(IConversionProgress? progress, ILogger logger)
    {
        private readonly Stopwatch _watch = new();
        private ConversionStage _stage;

        public void Start(ConversionStage stage, long totalBytes)
        {
            _stage = stage;
            _watch.Restart();
            progress?.OnStageStarted(stage, totalBytes);
        }

        public void Progress(long bytes) => progress?.OnBytesConverted(_stage, bytes);

        public void Complete()
        {
            // A stage's weights and bands are garbage once it is done: collect them now so stages do not stack up in memory.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            logger.LogDebug("Conversion stage {Stage} took {Milliseconds:F0} ms", _stage, _watch.Elapsed.TotalMilliseconds);
            progress?.OnStageCompleted(_stage, _watch.Elapsed);
        }
    }
}
