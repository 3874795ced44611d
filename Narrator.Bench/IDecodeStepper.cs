namespace Narrator.Bench;

/// <summary>One sequence being decoded a token at a time, so benchmarks can step several in turn under the same load.</summary>
internal interface IDecodeStepper : IDisposable
{
    void Step();
}
