namespace Narrator.Model.Conversion;

/// <summary>Stages of a conversion in the order they run.</summary>
public enum ConversionStage
{
    Checking,
    Vision,
    Embedding,
    Decoder,
    PackageFiles,
}

/// <summary>
/// Follows a conversion: each stage starts with the checkpoint bytes it reads (0 when it reports no progress within
/// itself), reports bytes as it converts them, and completes. Called on the converting thread.
/// </summary>
public interface IConversionProgress
{
    void OnStageStarted(ConversionStage stage, long totalBytes);

    void OnBytesConverted(ConversionStage stage, long bytes);

    void OnStageCompleted(ConversionStage stage, TimeSpan elapsed);
}
