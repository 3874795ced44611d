using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Narrator.Model.Onnx;

/// <summary>Where a tensor's data starts, for views into it (prefill chunks, mask prefixes) and for tests that check a buffer never moves.</summary>
internal static class OrtValueMemory
{
    /// <summary>The native address of the tensor's first byte (zero for an empty tensor).</summary>
    public static unsafe IntPtr DataAddress(this OrtValue value)
    {
        var bytes = value.GetTensorMutableRawData();
        if (bytes.IsEmpty)
        {
            return IntPtr.Zero;
        }
        fixed (byte* pointer = &MemoryMarshal.GetReference(bytes))
        {
            return (IntPtr)pointer;
        }
    }
}
