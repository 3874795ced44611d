namespace Narrator.Model.Tests.Conversion;

/// <summary>
/// The tiny Qwen2.5-VL checkpoint and transformers' outputs for it, copied from ../shared/golden/hf-tiny into TestData
/// (its README.md says what each file is).
/// </summary>
internal static class HfTiny
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "TestData", "hf-tiny");

    public static string Checkpoint => Path.Combine(Root, "checkpoint");

    /// <summary>A writable copy of the checkpoint folder in a new temporary folder, for tests that damage it.</summary>
    public static string CopyCheckpoint(string into)
    {
        Directory.CreateDirectory(into);
        foreach (var file in Directory.GetFiles(Checkpoint))
        {
            File.Copy(file, Path.Combine(into, Path.GetFileName(file)));
        }
        return into;
    }
}
