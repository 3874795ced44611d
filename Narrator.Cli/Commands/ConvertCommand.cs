using System.CommandLine;
using System.Globalization;
using Narrator.Model.Conversion;

namespace Narrator.Cli.Commands;

/// <summary>
/// <c>narrator convert CHECKPOINT_DIR OUT_DIR</c>: turns a Hugging Face Qwen2.5-VL checkpoint into a Narrator model
/// package (docs/MODEL.md). Progress goes to stderr, the summary to stdout; a broken checkpoint is one sentence and exit 2.
/// </summary>
internal static class ConvertCommand
{
    public static Command Create()
    {
        var checkpoint = new Argument<string>("checkpoint") { Description = "Hugging Face checkpoint folder (config.json, safetensors, tokenizer files)." };
        var output = new Argument<string>("output") { Description = "Folder to write the model package into." };
        var precision = new Option<string>("--precision")
        {
            Description = "Text model precision: fp32 (CPU or CUDA, matches transformers), fp16 (CUDA; also runs on the CPU), bf16 (CUDA only) or int4 (4-bit weights).",
            DefaultValueFactory = _ => "fp32",
        };
        precision.AcceptOnlyFromAmong("fp32", "fp16", "bf16", "int4");
        var visionPrecision = new Option<string>("--vision-precision")
        {
            Description = "Vision tower precision: fp32 (CPU or CUDA) or bf16 (CUDA only); fp16 is refused (Qwen2.5-VL's vision tower overflows it).",
            DefaultValueFactory = _ => "fp32",
        };
        visionPrecision.AcceptOnlyFromAmong("fp32", "fp16", "bf16");
        var blockSize = new Option<int>("--int4-block-size")
        {
            Description = "int4: weights per scale along the input dimension.",
            DefaultValueFactory = _ => 32,
        };
        blockSize.AcceptOnlyFromAmong("32", "64", "128");
        var accuracyLevel = new Option<int>("--int4-accuracy-level")
        {
            Description = "int4: MatMulNBits accuracy_level, how the CPU may compute: 0 unset, 1 fp32, 2 fp16, 3 bf16, 4 int8 (fastest on the CPU).",
            DefaultValueFactory = _ => 4,
        };
        accuracyLevel.AcceptOnlyFromAmong("0", "1", "2", "3", "4");
        var int4Activations = new Option<string>("--int4-activations")
        {
            Description = "int4: activation and KV cache type: fp32 for the CPU provider, fp16 for CUDA (its attention kernel takes fp16/bf16 only).",
            DefaultValueFactory = _ => "fp32",
        };
        int4Activations.AcceptOnlyFromAmong("fp32", "fp16");
        var decodeAttention = new Option<string?>("--decode-attention")
        {
            Description = "Attention of a decode step: grouped (each KV head read once per token; the default for fp32 activations, the CPU packages) or gqa (GroupQueryAttention; the default for fp16/bf16, the CUDA packages). Grouped costs follow the KV buffer's size (prompt + max new tokens), not the position.",
        };
        decodeAttention.AcceptOnlyFromAmong([.. Enum.GetValues<DecodeStepAttention>().Select(CheckpointConverter.DecodeAttentionName)]);
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace the output folder if it already holds files." };

        var command = new Command("convert",
            "Convert a Hugging Face Qwen2.5-VL checkpoint (safetensors) into a Narrator model package: vision, embedding and decoder ONNX graphs with external data, genai_config.json and the tokenizer.");
        command.Arguments.Add(checkpoint);
        command.Arguments.Add(output);
        foreach (var option in (Option[])[precision, visionPrecision, blockSize, accuracyLevel, int4Activations, decodeAttention, overwrite])
        {
            command.Options.Add(option);
        }
        CommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var options = new ConversionOptions
            {
                Precision = Enum.Parse<TextPrecision>(parseResult.GetValue(precision)!, ignoreCase: true),
                VisionPrecision = Enum.Parse<VisionPrecision>(parseResult.GetValue(visionPrecision)!, ignoreCase: true),
                Int4 = new Int4Options
                {
                    BlockSize = parseResult.GetValue(blockSize),
                    AccuracyLevel = parseResult.GetValue(accuracyLevel),
                    Activations = Enum.Parse<Int4Activations>(parseResult.GetValue(int4Activations)!, ignoreCase: true),
                },
                DecodeAttention = CheckpointConverter.ParseDecodeAttention(parseResult.GetValue(decodeAttention)),
                Overwrite = parseResult.GetValue(overwrite),
            };
            var display = new ConversionProgressDisplay(stderr, interactive: !Console.IsErrorRedirected && stderr == Console.Error);
            var result = await new CheckpointConverter().ConvertAsync(parseResult.GetValue(checkpoint)!, parseResult.GetValue(output)!, options, display, cancellationToken);
            foreach (string note in result.Notes)
            {
                await stderr.WriteLineAsync($"note: {note}");
            }
            string precisionText = options.Precision == TextPrecision.Int4
                ? $"int4 (block {options.Int4.BlockSize}, accuracy level {options.Int4.AccuracyLevel}, {options.Int4.Activations.ToString().ToLowerInvariant()} activations)"
                : options.Precision.ToString().ToLowerInvariant();
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"wrote {result.OutputDirectory}: {precisionText}, vision {options.VisionPrecision.ToString().ToLowerInvariant()}, decode attention {CheckpointConverter.DecodeAttentionName(options.EffectiveDecodeAttention)}, {result.Files.Count} files, {result.TotalBytes / (1024.0 * 1024.0):F1} MB in {result.Elapsed.TotalSeconds:F1} s"));
            await stdout.WriteLineAsync($"next: narrator verify {result.OutputDirectory} --reference REFERENCE_DIR, or narrator describe CLIP --model {result.OutputDirectory}");
            return 0;
        });
        return command;
    }
}
