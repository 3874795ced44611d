using System.CommandLine;
using Narrator.Model;
using Narrator.Model.Media;

namespace Narrator.Cli.Commands;

/// <summary>The frame-sampling and size options shared by <c>plan</c> and <c>frames</c>, and how they become <see cref="FrameOptions"/>.</summary>
internal sealed class FrameOptionArguments
{
    public Option<double?> Fps { get; } = Number("--fps", "Frames to sample per second of video (default 2).");

    public Option<int?> MinFrames { get; } = WholeNumber("--min-frames", "Fewest frames to sample from a video, rounded up to even (default 16).");

    public Option<int?> MaxFrames { get; } = WholeNumber("--max-frames", "Most frames to sample from a video, rounded down to even (default 96, at most 768).");

    public Option<int?> NFrames { get; } = WholeNumber("--nframes", "Sample exactly this many frames (rounded to even) instead of using --fps.");

    public Option<int?> MinPixels { get; } = WholeNumber("--min-pixels", "Smallest frame area in pixels after resizing (default 100352 for video, 3136 for a still).");

    public Option<int?> MaxPixels { get; } = WholeNumber("--max-pixels", "Largest frame area in pixels after resizing (default 345744 = 784x441 for video, 12845056 for a still).");

    /// <summary>An integer option whose parse error names the option and the bad value (not a CLR type).</summary>
    public static Option<int?> WholeNumber(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
            result.AddError($"{name} expects a whole number, not '{text}'.");
            return null;
        },
    };

    /// <summary>A decimal option whose parse error names the option and the bad value.</summary>
    public static Option<double?> Number(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
            result.AddError($"{name} expects a number, not '{text}'.");
            return null;
        },
    };

    public IEnumerable<Option> All => [Fps, MinFrames, MaxFrames, NFrames, MinPixels, MaxPixels];

    public void AddTo(Command command)
    {
        foreach (var option in All)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The options as given; unset ones keep the Narrator defaults (or the Qwen image bounds for stills).</summary>
    public FrameOptions Read(ParseResult parseResult)
    {
        var nframes = parseResult.GetValue(NFrames);
        var fps = parseResult.GetValue(Fps);
        if (nframes is not null && fps is not null)
        {
            throw new UserInputException("--nframes and --fps both set the number of frames; give only one of them.");
        }
        var defaults = new FrameOptions();
        var minPixels = parseResult.GetValue(MinPixels);
        var maxPixels = parseResult.GetValue(MaxPixels);
        var options = new FrameOptions
        {
            Fps = fps ?? defaults.Fps,
            MinFrames = parseResult.GetValue(MinFrames) ?? defaults.MinFrames,
            MaxFrames = parseResult.GetValue(MaxFrames) ?? defaults.MaxFrames,
            NFrames = nframes,
            MinPixels = minPixels,
            MaxPixels = maxPixels ?? defaults.MaxPixels,
            ImageMinPixels = minPixels,
            ImageMaxPixels = maxPixels,
        };
        FramePlanner.Validate(options);
        return options;
    }

    /// <summary>Names of the video-only options that were given, for rejecting them where they cannot apply.</summary>
    public IEnumerable<string> GivenVideoOptions(ParseResult parseResult)
    {
        foreach (var option in (Option[])[Fps, MinFrames, MaxFrames, NFrames])
        {
            if (parseResult.GetResult(option) is { Implicit: false })
            {
                yield return option.Name;
            }
        }
    }
}
