using Narrator.Web.Narrations;

namespace Narrator.Web.Services.Queue;

/// <summary>
/// The languages of one translation request as the history journal writes them: each from the moment it starts (with
/// its text so far, read when the journal asks), then how it ended. Languages that never started are not in it, so an
/// earlier translation into them stays stored. Written by the translator, read by the journal on another thread.
/// </summary>
public sealed class TranslationLog
{
    private readonly Lock gate = new();
    private readonly List<string> order = [];
    private readonly Dictionary<string, NarrationTranslation> ended = new(StringComparer.Ordinal);
    private (string Language, Func<NarrationTranslation> Snapshot)? running;

    /// <summary>A language has started; <paramref name="snapshot"/> gives it as it stands (state "running") until it ends.</summary>
    public void Started(string language, Func<NarrationTranslation> snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (gate)
        {
            if (!order.Contains(language))
            {
                order.Add(language);
            }
            ended.Remove(language);
            running = (language, snapshot);
        }
    }

    /// <summary>A language has ended: completed, or failed/stopped with the text it had.</summary>
    public void Ended(NarrationTranslation translation)
    {
        ArgumentNullException.ThrowIfNull(translation);
        lock (gate)
        {
            if (!order.Contains(translation.Language))
            {
                order.Add(translation.Language);
            }
            ended[translation.Language] = translation;
            if (running?.Language == translation.Language)
            {
                running = null;
            }
        }
    }

    /// <summary>Every language that has started, in the order they started, as it stands now.</summary>
    public IReadOnlyList<NarrationTranslation> Snapshot()
    {
        lock (gate)
        {
            var languages = new List<NarrationTranslation>(order.Count);
            foreach (var language in order)
            {
                if (ended.TryGetValue(language, out var done))
                {
                    languages.Add(done);
                }
                else if (running is { } current && current.Language == language)
                {
                    languages.Add(current.Snapshot());
                }
            }
            return languages;
        }
    }
}
