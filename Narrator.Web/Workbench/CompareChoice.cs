namespace Narrator.Web.Workbench;

/// <summary>One side of a comparison: a template and the prompt to send with it (the template's own text or an edit).</summary>
public sealed record CompareChoice(string TemplateId, string Prompt);
