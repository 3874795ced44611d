using System.Text.Json;
using Narrator.Model.Media;

namespace Narrator.Cli.Commands;

/// <summary>The JSON shapes of <c>narrator plan</c> (keys are part of the CLI contract; keep them).</summary>
internal static class PlanJson
{
    public static void WritePlan(Utf8JsonWriter writer, FramePlan plan)
    {
        writer.WriteStartObject();
        if (plan.Kind == MediaKind.Video)
        {
            writer.WriteNumber("nframes", plan.NFrames);
            writer.WriteStartArray("indices");
            foreach (var index in plan.Indices)
            {
                writer.WriteNumberValue(index);
            }
            writer.WriteEndArray();
            writer.WriteNumber("sampleFps", plan.SampleFps);
            writer.WriteNumber("secondPerGridT", plan.SecondPerGridT);
        }
        writer.WriteNumber("resizedWidth", plan.ResizedWidth);
        writer.WriteNumber("resizedHeight", plan.ResizedHeight);
        writer.WriteStartArray("grid");
        writer.WriteNumberValue(plan.Grid.T);
        writer.WriteNumberValue(plan.Grid.H);
        writer.WriteNumberValue(plan.Grid.W);
        writer.WriteEndArray();
        writer.WriteNumber("visualTokens", plan.VisualTokens);
        writer.WriteEndObject();
    }

    public static void WriteProbe(Utf8JsonWriter writer, MediaProbe probe)
    {
        writer.WriteStartObject();
        writer.WriteString("kind", probe.Kind == MediaKind.Video ? "video" : "image");
        writer.WriteString("container", probe.Container);
        writer.WriteString("videoCodec", probe.VideoCodec);
        writer.WriteNumber("width", probe.Width);
        writer.WriteNumber("height", probe.Height);
        writer.WriteString("displayAspectRatio", probe.DisplayAspectRatio);
        writer.WriteNumber("rotation", probe.Rotation);
        writer.WriteNumber("averageFps", probe.AverageFps);
        writer.WriteNumber("durationSeconds", probe.DurationSeconds);
        writer.WriteNumber("frameCount", probe.FrameCount);
        writer.WriteBoolean("frameCountEstimated", probe.FrameCountEstimated);
        writer.WriteBoolean("hasAudio", probe.HasAudio);
        writer.WriteEndObject();
    }

    /// <summary>Runs <paramref name="write"/> against a JSON writer and prints the result as one object on one line.</summary>
    public static async Task PrintAsync(TextWriter output, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions()))
        {
            write(writer);
        }
        await output.WriteLineAsync(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
