using System.Globalization;
using Narrator.Model;

namespace Narrator.Bench;

/// <summary>Command-line numbers the decode benchmarks take, refused with a sentence naming the option.</summary>
internal static class BenchArguments
{
    /// <summary>A comma-separated list of positive whole numbers ("100,4000").</summary>
    public static int[] PositiveWholes(string text, string name) => [.. text.Split(',').Select(t => PositiveWhole(t, name))];

    public static int PositiveWhole(string text, string name) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value : throw new UserInputException($"{name} takes positive whole numbers (got \"{text}\").");

    public static bool OnOff(string text, string name) => text switch
    {
        "on" => true,
        "off" => false,
        _ => throw new UserInputException($"{name} takes on or off, not '{text}'."),
    };
}
