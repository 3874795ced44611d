namespace Narrator.Bench;

/// <summary>A kernel's output differs from what it must compute: the bench stops rather than time a wrong graph.</summary>
internal sealed class KernelMismatchException(string message) : Exception(message);
