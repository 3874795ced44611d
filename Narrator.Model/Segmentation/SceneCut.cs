namespace Narrator.Model.Segmentation;

/// <summary>A frame ffmpeg scored as the first of a new scene: its time from the first frame and its scene score (0-1).</summary>
public readonly record struct SceneCut(double Seconds, double Score);
