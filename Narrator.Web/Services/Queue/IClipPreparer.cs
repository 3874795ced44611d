using Narrator.Model.Media;

namespace Narrator.Web.Services.Queue;

/// <summary>Turns a clip into model input (frames + patches) on the CPU, off the model's thread.</summary>
public interface IClipPreparer
{
    Task<PreparedMedia> PrepareAsync(NarrationWork work, CancellationToken cancellationToken);
}
