using Microsoft.Extensions.Options;
using Narrator.Model;
using Narrator.Model.Segmentation;

namespace Narrator.Web.Services.Queue;

/// <summary>Fails start-up when the <c>Narrator:Segmentation</c> settings cannot split a long video (naming the setting and why).</summary>
internal sealed class SegmentationOptionsValidator : IValidateOptions<SegmentationOptions>
{
    public const string Section = "Narrator:Segmentation";

    public ValidateOptionsResult Validate(string? name, SegmentationOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (UserInputException ex)
        {
            return ValidateOptionsResult.Fail($"{Section}: {ex.Message}");
        }
    }
}
