namespace Narrator.Model.Templates;

/// <summary>
/// The structured caption a structural video captioner produces for text-to-video data (the fields of the
/// "structured" template). Null means the answer did not give the field (or gave something unusable).
/// </summary>
public sealed record StructuredCaption
{
    public string? ShotType { get; init; }

    public string? ShotAngle { get; init; }

    public string? ShotPosition { get; init; }

    public string? CameraMotion { get; init; }

    public string? Environment { get; init; }

    public string? Lighting { get; init; }

    public IReadOnlyList<SubjectCaption>? Subjects { get; init; }
}

/// <summary>One subject of a structured caption.</summary>
public sealed record SubjectCaption
{
    public string? Type { get; init; }

    public string? Appearance { get; init; }

    public string? Action { get; init; }

    public string? Expression { get; init; }

    public string? Position { get; init; }

    public bool? IsMainSubject { get; init; }
}
