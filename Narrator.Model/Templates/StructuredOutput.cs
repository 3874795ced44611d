namespace Narrator.Model.Templates;

/// <summary>How far a JSON answer got.</summary>
public enum StructuredOutputStatus
{
    /// <summary>Parsed, and every field is present and well-typed.</summary>
    Valid,

    /// <summary>Parsed, but some fields are missing or invalid (see Problems).</summary>
    Incomplete,

    /// <summary>No JSON object could be read; the raw text is all there is (see Failure).</summary>
    Unparseable,
}

/// <summary>A field of a structured answer that is missing or not what the schema asks for.</summary>
public sealed record FieldProblem(string Path, FieldProblemKind Kind, string Message);

public enum FieldProblemKind
{
    Missing,
    Invalid,
}

/// <summary>
/// A JSON answer after extraction, repair and validation. <see cref="Raw"/> is always the model's text;
/// <see cref="Json"/> is the object with the schema's field names (snake_case), compact, when it could be read.
/// </summary>
public sealed record StructuredOutput
{
    public required string Raw { get; init; }

    public required StructuredOutputStatus Status { get; init; }

    public StructuredCaption? Caption { get; init; }

    public string? Json { get; init; }

    /// <summary>What was fixed to read the answer, in words (e.g. "removed a trailing comma").</summary>
    public IReadOnlyList<string> Repairs { get; init; } = [];

    public IReadOnlyList<FieldProblem> Problems { get; init; } = [];

    /// <summary>Why the answer could not be read, when <see cref="Status"/> is Unparseable.</summary>
    public string? Failure { get; init; }
}
