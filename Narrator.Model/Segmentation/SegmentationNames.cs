namespace Narrator.Model.Segmentation;

/// <summary>
/// The one place split modes and methods meet their text: "scenes"/"fixed" as a request, the CLI, the page and saved
/// workspaces spell a <see cref="SegmentationMode"/>, and "whole"/"scenes"/"fixed" as exports and history record the
/// <see cref="SegmentationMethod"/> used.
/// </summary>
public static class SegmentationNames
{
    public const string Whole = "whole";
    public const string Scenes = "scenes";
    public const string Fixed = "fixed";

    /// <summary>Every mode's name, in the order they are offered.</summary>
    public static IReadOnlyList<string> Modes { get; } = [Scenes, Fixed];

    public static string ToName(this SegmentationMode mode) => mode == SegmentationMode.Fixed ? Fixed : Scenes;

    public static string ToName(this SegmentationMethod method) => method switch
    {
        SegmentationMethod.Whole => Whole,
        SegmentationMethod.Scenes => Scenes,
        _ => Fixed,
    };

    /// <summary>Reads a mode's name (any case, surrounding spaces ignored); false for anything else.</summary>
    public static bool TryParseMode(string? name, out SegmentationMode mode)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case Scenes:
                mode = SegmentationMode.Scenes;
                return true;
            case Fixed:
                mode = SegmentationMode.Fixed;
                return true;
            default:
                mode = default;
                return false;
        }
    }

    /// <summary>The mode a name spells, or null for none or an unknown one (a workspace saved by another version).</summary>
    public static SegmentationMode? ModeOrNull(string? name) => TryParseMode(name, out var mode) ? mode : null;

    /// <summary>Whether a recorded method name says the video was cut into segments (not narrated whole).</summary>
    public static bool IsSplit(string? methodName) => methodName is Scenes or Fixed;
}
