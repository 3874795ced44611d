using System.CommandLine;
using Narrator.Model;
using Narrator.Model.Media;

namespace Narrator.Cli.Commands;

/// <summary><c>narrator plan</c>: which frames the model would see and at what size, from numbers or from a file.</summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var file = new Argument<string?>("file")
        {
            Description = "A video or image to probe and plan. Leave out to plan from --total-frames/--video-fps/--width/--height or --image.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var totalFrames = FrameOptionArguments.WholeNumber("--total-frames", "Frames in the video.");
        var videoFps = FrameOptionArguments.Number("--video-fps", "Frame rate of the video.");
        var width = FrameOptionArguments.WholeNumber("--width", "Frame width in pixels (as displayed).");
        var height = FrameOptionArguments.WholeNumber("--height", "Frame height in pixels (as displayed).");
        var image = new Option<bool>("--image") { Description = "Plan a still image of --width x --height instead of a video." };
        var frameOptions = new FrameOptionArguments();

        var command = new Command("plan",
            "Print the frame plan as JSON: nframes, indices, sampleFps, secondPerGridT, resizedWidth, resizedHeight, grid, visualTokens. " +
            "With a file it probes the file first and prints {\"probe\":{...},\"plan\":{...}}; with --image it plans a still " +
            "({\"resizedWidth\",\"resizedHeight\",\"grid\",\"visualTokens\"}).");
        command.Arguments.Add(file);
        foreach (var option in (Option[])[totalFrames, videoFps, width, height, image])
        {
            command.Options.Add(option);
        }
        frameOptions.AddTo(command);

        CommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var options = frameOptions.Read(parseResult);
            var path = parseResult.GetValue(file);
            var given = (Option[])[totalFrames, videoFps, width, height];
            var numbersGiven = given.Where(o => parseResult.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();

            if (path is not null)
            {
                if (numbersGiven.Count > 0 || parseResult.GetValue(image))
                {
                    throw new UserInputException("Give either a file or --total-frames/--video-fps/--width/--height/--image to plan from, not both.");
                }
                var probe = await new MediaProber().ProbeAsync(path, cancellationToken);
                var filePlan = FramePlanner.Plan(probe, options);
                await PlanJson.PrintAsync(output, writer =>
                {
                    writer.WriteStartObject();
                    writer.WritePropertyName("probe");
                    PlanJson.WriteProbe(writer, probe);
                    writer.WritePropertyName("plan");
                    PlanJson.WritePlan(writer, filePlan);
                    writer.WriteEndObject();
                });
                return 0;
            }

            if (parseResult.GetValue(image))
            {
                var videoOnly = frameOptions.GivenVideoOptions(parseResult).Concat(numbersGiven.Where(n => n is "--total-frames" or "--video-fps")).ToList();
                if (videoOnly.Count > 0)
                {
                    throw new UserInputException($"--image plans a still; {string.Join(", ", videoOnly)} only apply to videos.");
                }
                var (imageWidth, imageHeight) = (Required(parseResult, width, "--image"), Required(parseResult, height, "--image"));
                var imagePlan = FramePlanner.PlanImage(Positive(imageWidth, "--width"), Positive(imageHeight, "--height"), options);
                await PlanJson.PrintAsync(output, writer => PlanJson.WritePlan(writer, imagePlan));
                return 0;
            }

            var missing = given.Where(o => parseResult.GetResult(o) is not { Implicit: false }).Select(o => o.Name).ToList();
            if (missing.Count > 0)
            {
                throw new UserInputException(
                    $"plan needs a file, or --total-frames, --video-fps, --width and --height (or --image with --width and --height); missing {string.Join(", ", missing)}.");
            }
            var fps = parseResult.GetValue(videoFps)!.Value;
            if (!double.IsFinite(fps) || fps <= 0)
            {
                throw new UserInputException($"--video-fps must be a positive number (got {fps}).");
            }
            var plan = FramePlanner.PlanVideo(
                Positive(parseResult.GetValue(totalFrames)!.Value, "--total-frames"),
                fps,
                Positive(parseResult.GetValue(width)!.Value, "--width"),
                Positive(parseResult.GetValue(height)!.Value, "--height"),
                options);
            await PlanJson.PrintAsync(output, writer => PlanJson.WritePlan(writer, plan));
            return 0;
        });
        return command;
    }

    private static int Required(ParseResult parseResult, Option<int?> option, string mode) =>
        parseResult.GetValue(option) ?? throw new UserInputException($"{mode} needs {option.Name}.");

    private static int Positive(int value, string name) =>
        value > 0 ? value : throw new UserInputException($"{name} must be a positive whole number (got {value}).");
}
