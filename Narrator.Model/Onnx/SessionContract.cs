using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Narrator.Model.Onnx;

/// <summary>Checks that each graph really has the inputs and outputs genai_config.json names, with usable types.</summary>
internal sealed class SessionContract(GenAiConfig config)
{
    public void Vision(InferenceSession session, string path)
    {
        var vision = config.Model.Vision;
        var names = vision.Inputs;
        var pixels = RequireInput(session, path, names.PixelValues, "model.vision.inputs.pixel_values");
        var features = RequireOutput(session, path, vision.Outputs.ImageFeatures, "model.vision.outputs.image_features");
        if (!vision.TakesGridTables)
        {
            RequireInput(session, path, names.ImageGridThw!, "model.vision.inputs.image_grid_thw");
            RequireNoOtherInputs(session, path, names.All);
            return;
        }
        foreach (var (name, field, type) in new[]
        {
            (names.PatchOrder!, "patch_order", TensorElementType.Int64),
            (names.RotaryCos!, "rotary_cos", TensorElementType.Float),
            (names.RotarySin!, "rotary_sin", TensorElementType.Float),
            (names.WindowPadIndex!, "window_pad_index", TensorElementType.Int64),
            (names.WindowLengths!, "window_lengths", TensorElementType.Int32),
            (names.WindowUnpadIndex!, "window_unpad_index", TensorElementType.Int64),
            (names.FrameGroups!, "frame_groups", TensorElementType.Int64),
            (names.MergeReverseIndex!, "merge_reverse_index", TensorElementType.Int64),
        })
        {
            var metadata = RequireInput(session, path, name, $"model.vision.inputs.{field}");
            if (metadata.ElementDataType != type)
            {
                throw new ModelPackageException($"{path}: vision input '{name}' is {metadata.ElementDataType}; the runtime feeds {type}.");
            }
        }
        // The runtime feeds and collects fp32 whatever the graph computes in, so it can split a call into runs.
        if (pixels.ElementDataType != TensorElementType.Float || features.ElementDataType != TensorElementType.Float)
        {
            throw new ModelPackageException(
                $"{path}: pixel_values is {pixels.ElementDataType} and image_features {features.ElementDataType}; a graph fed with grid tables takes and returns Float.");
        }
        RequireNoOtherInputs(session, path, names.All);
    }

    public void Embedding(InferenceSession session, string path)
    {
        var names = config.Model.Embedding;
        RequireInput(session, path, names.Inputs.InputIds, "model.embedding.inputs.input_ids");
        RequireInput(session, path, names.Inputs.ImageFeatures, "model.embedding.inputs.image_features");
        RequireOutput(session, path, names.Outputs.InputsEmbeds, "model.embedding.outputs.inputs_embeds");
        RequireNoOtherInputs(session, path, [names.Inputs.InputIds, names.Inputs.ImageFeatures]);
    }

    /// <summary>Returns the KV element type, which must be the same for every past/present tensor and one the generator supports.</summary>
    public TensorElementType Decoder(InferenceSession session, string path)
    {
        var decoder = config.Model.Decoder;
        var inputs = decoder.Inputs;
        RequireInput(session, path, inputs.InputsEmbeds, "model.decoder.inputs.inputs_embeds");
        RequireInput(session, path, inputs.AttentionMask, "model.decoder.inputs.attention_mask");
        RequireInput(session, path, inputs.PositionIds, "model.decoder.inputs.position_ids");
        var logits = RequireOutput(session, path, decoder.Outputs.Logits, "model.decoder.outputs.logits");
        if (!ModelPackage.SupportedKvTypes.Contains(logits.ElementDataType))
        {
            throw new ModelPackageException($"{path}: logits are {logits.ElementDataType}; expected Float, Float16 or BFloat16.");
        }
        if (logits.Dimensions.Length != 3 || logits.Dimensions[1] != 1)
        {
            // onnxruntime-genai's exports head every position ([batch, sequence_length, vocab]); prefill would copy them all.
            throw new ModelPackageException(
                $"{path}: logits '{decoder.Outputs.Logits}' are not [batch, 1, vocab] but cover every position; Narrator runs decoders that head the last position only: convert the checkpoint with narrator convert (docs/MODEL.md).");
        }

        var known = new List<string> { inputs.InputsEmbeds, inputs.AttentionMask, inputs.PositionIds };
        TensorElementType? kvType = null;
        for (int layer = 0; layer < decoder.NumHiddenLayers; layer++)
        {
            foreach (var (name, field, isInput) in new[]
            {
                (decoder.PastKeyName(layer), "model.decoder.inputs.past_key_names", true),
                (decoder.PastValueName(layer), "model.decoder.inputs.past_value_names", true),
                (decoder.PresentKeyName(layer), "model.decoder.outputs.present_key_names", false),
                (decoder.PresentValueName(layer), "model.decoder.outputs.present_value_names", false),
            })
            {
                var metadata = isInput ? RequireInput(session, path, name, field) : RequireOutput(session, path, name, field);
                var type = metadata.ElementDataType;
                kvType ??= type;
                if (type != kvType)
                {
                    throw new ModelPackageException($"{path}: KV tensor '{name}' is {type} but earlier ones are {kvType}; all past/present tensors must share one type.");
                }
                if (isInput)
                {
                    known.Add(name);
                    CheckKvShape(metadata, name, path, decoder);
                }
            }
        }
        RequireNoOtherInputs(session, path, known);

        var result = kvType ?? TensorElementType.Float;
        if (!ModelPackage.SupportedKvTypes.Contains(result))
        {
            throw new ModelPackageException(
                $"{path}: KV cache type {result} is not supported (expected {string.Join(", ", ModelPackage.SupportedKvTypes)}).");
        }
        return result;
    }

    private static void CheckKvShape(NodeMetadata metadata, string name, string path, GenAiDecoderConfig decoder)
    {
        var dims = metadata.Dimensions;
        if (dims.Length != 4)
        {
            throw new ModelPackageException($"{path}: '{name}' has rank {dims.Length}; expected [batch, kv_heads, past, head_size].");
        }
        if ((dims[1] > 0 && dims[1] != decoder.NumKeyValueHeads) || (dims[3] > 0 && dims[3] != decoder.HeadSize))
        {
            throw new ModelPackageException(
                $"{path}: '{name}' is [.., {dims[1]}, .., {dims[3]}] but {GenAiConfig.FileName} says {decoder.NumKeyValueHeads} KV heads of size {decoder.HeadSize}.");
        }
    }

    private static NodeMetadata RequireInput(InferenceSession session, string path, string name, string field) =>
        session.InputMetadata.TryGetValue(name, out var metadata)
            ? metadata
            : throw new ModelPackageException(
                $"{path} has no input named '{name}' ({GenAiConfig.FileName} {field}); its inputs are: {string.Join(", ", session.InputNames)}.");

    private static NodeMetadata RequireOutput(InferenceSession session, string path, string name, string field) =>
        session.OutputMetadata.TryGetValue(name, out var metadata)
            ? metadata
            : throw new ModelPackageException(
                $"{path} has no output named '{name}' ({GenAiConfig.FileName} {field}); its outputs are: {string.Join(", ", session.OutputNames)}.");

    private static void RequireNoOtherInputs(InferenceSession session, string path, IReadOnlyCollection<string> known)
    {
        foreach (var input in session.InputNames)
        {
            if (!known.Contains(input))
            {
                throw new ModelPackageException($"{path} needs an input '{input}' that {GenAiConfig.FileName} does not describe.");
            }
        }
    }
}
