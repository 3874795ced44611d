using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Narrator.Model.Onnx;

namespace Narrator.Bench;

/// <summary>
/// Decoder Run alone, one token after a cache of <c>position</c> tokens (zeros: the values do not change the work):
/// with <c>growing</c> the past is a tensor of exactly the tokens so far and each step's present is a new tensor fed
/// back as the next past (GroupQueryAttention copies the past into it: the runtime before #15); otherwise one buffer
/// per layer of <c>capacity</c> tokens (default: position + tokens + 1) is bound as past and present.
/// </summary>
internal sealed class BareDecoderLoop : IDecodeStepper
{
    private readonly GenAiDecoderConfig _config;
    private readonly InferenceSession _session;
    private readonly bool _growing;
    private readonly OrtValue _embeds;
    private readonly long[] _positions = new long[3];
    private readonly OrtValue _positionValue;
    private readonly long[] _mask;
    private readonly RunOptions _runOptions = new();
    private readonly OrtIoBinding _binding;
    private readonly OrtValue[] _kv;
    private int _past;

    public BareDecoderLoop(InferenceSession session, GenAiDecoderConfig config, TensorElementType kvType, int position, int tokens, bool growing, int? capacity = null)
    {
        _config = config;
        _session = session;
        _growing = growing;
        _past = position;
        long length = growing ? position : capacity ?? position + tokens + 1;
        if (length < position + (growing ? 0 : tokens + 1))
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), $"A shared buffer of {length} tokens cannot hold {position} + {tokens} + 1.");
        }
        var embedsType = _session.InputMetadata[_config.Inputs.InputsEmbeds].ElementDataType;
        _embeds = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, embedsType, [1, 1, _config.HiddenSize]);
        _embeds.GetTensorMutableRawData().Clear();
        _positionValue = OrtValue.CreateTensorValueFromMemory(_positions, [3, 1, 1]);
        _mask = new long[position + tokens + 1];
        Array.Fill(_mask, 1L);
        _binding = _session.CreateIoBinding();
        _binding.BindInput(_config.Inputs.InputsEmbeds, _embeds);
        _binding.BindInput(_config.Inputs.PositionIds, _positionValue);
        _binding.BindOutputToDevice(_config.Outputs.Logits, OrtMemoryInfo.DefaultInstance);
        _kv = new OrtValue[2 * _config.NumHiddenLayers];
        for (int i = 0; i < _kv.Length; i++)
        {
            _kv[i] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, kvType,
                [1, _config.NumKeyValueHeads, length, _config.HeadSize]);
            _kv[i].GetTensorMutableRawData().Clear();
        }
    }

    public void Step()
    {
        _positions[0] = _positions[1] = _positions[2] = _past;
        using var mask = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<long>(_mask, 0, _past + 1), [1, _past + 1]);
        _binding.BindInput(_config.Inputs.AttentionMask, mask);
        for (int layer = 0; layer < _config.NumHiddenLayers; layer++)
        {
            _binding.BindInput(_config.PastKeyName(layer), _kv[2 * layer]);
            _binding.BindInput(_config.PastValueName(layer), _kv[2 * layer + 1]);
            if (_growing)
            {
                _binding.BindOutputToDevice(_config.PresentKeyName(layer), OrtMemoryInfo.DefaultInstance);
                _binding.BindOutputToDevice(_config.PresentValueName(layer), OrtMemoryInfo.DefaultInstance);
            }
            else
            {
                _binding.BindOutput(_config.PresentKeyName(layer), _kv[2 * layer]);
                _binding.BindOutput(_config.PresentValueName(layer), _kv[2 * layer + 1]);
            }
        }
        var outputs = _session.RunWithBoundResults(_runOptions, _binding);
        if (_growing)
        {
            // The previous past is released as the present replaces it, as the growing runtime did.
            for (int i = 0; i < _kv.Length; i++)
            {
                _kv[i].Dispose();
                _kv[i] = outputs[1 + i];
            }
            outputs[0].Dispose();
        }
        else
        {
            outputs.Dispose();
        }
        _past++;
    }

    public void Dispose()
    {
        foreach (var value in _kv)
        {
            value.Dispose();
        }
        _binding.Dispose();
        _embeds.Dispose();
        _positionValue.Dispose();
        _runOptions.Dispose();
    }
}
