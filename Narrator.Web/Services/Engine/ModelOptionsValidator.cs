using Microsoft.Extensions.Options;
using Narrator.Model.Onnx;

namespace Narrator.Web.Services.Engine;

/// <summary>Fails start-up when <c>Narrator:Model:Path</c> names a folder that is not there, or a provider setting is impossible.</summary>
internal sealed class ModelOptionsValidator(IHostEnvironment environment) : IValidateOptions<ModelOptions>
{
    public ValidateOptionsResult Validate(string? name, ModelOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.Path))
        {
            string full = System.IO.Path.GetFullPath(options.Path, environment.ContentRootPath);
            if (!Directory.Exists(full))
            {
                failures.Add($"Narrator:Model:Path is \"{options.Path}\" but no folder exists at {full}; point it at a model package folder (genai_config.json + ONNX files) or remove it to use the demo model.");
            }
        }
        if (options.ExecutionProvider.IntraOpThreads < 0)
        {
            failures.Add($"Narrator:Model:ExecutionProvider:IntraOpThreads is {options.ExecutionProvider.IntraOpThreads}; use 0 (one per core) or a positive number.");
        }
        if (options.ExecutionProvider.VisionMemoryBudgetBytes is long budget && budget <= 0)
        {
            failures.Add($"Narrator:Model:ExecutionProvider:VisionMemoryBudgetBytes is {budget}; use a positive number of bytes (default {ExecutionProviderOptions.DefaultVisionMemoryBudgetBytes}) or remove it.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
