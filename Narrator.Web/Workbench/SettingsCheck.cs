using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Templates;

namespace Narrator.Web.Workbench;

/// <summary>
/// The advanced settings as typed, checked the way the server will check them: every value out of range and every
/// combination that cannot work is named (nothing is clamped behind the visitor's back), and Describe waits until none is left.
/// </summary>
public static class SettingsCheck
{
    /// <summary>Every problem with these settings, in field order; empty when they can be sent.</summary>
    public static IReadOnlyList<SettingError> Problems(FrameOptions frames, GenerationOptions generation, int maxNewTokensLimit)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(generation);
        var problems = NarrationOptionsResolver.Validate(new NarrationOptions(frames, generation)).ToList();
        if (generation.MaxNewTokens > maxNewTokensLimit && generation.MaxNewTokens <= NarrationOptionsResolver.MaxNewTokensLimit)
        {
            problems.Add(new SettingError(NarrationSettings.MaxNewTokens.Name, $"maxNewTokens must be at most {maxNewTokensLimit} on this server (got {generation.MaxNewTokens})."));
        }
        return problems;
    }

    /// <summary>The first problem with <paramref name="setting"/> (as the API names it: fps, minFrames, seed...), or null.</summary>
    public static SettingError? For(IReadOnlyList<SettingError> problems, string setting) =>
        problems.FirstOrDefault(problem => problem.Setting == setting);
}
