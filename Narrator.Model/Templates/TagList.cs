namespace Narrator.Model.Templates;

/// <summary>A tags answer after clean-up: the tags in the template's order, and what was dropped and why.</summary>
public sealed record TagList(IReadOnlyList<string> Tags, IReadOnlyList<DroppedTag> Dropped);

/// <summary>An item of the answer that did not become a tag.</summary>
public sealed record DroppedTag(string Text, string Reason);
