namespace Narrator.Model.Exports;

/// <summary>One subtitle on screen: numbered from 1, with its time span and at most a couple of short lines.</summary>
public sealed record SubtitleCue(int Number, double StartSeconds, double EndSeconds, IReadOnlyList<string> Lines);
