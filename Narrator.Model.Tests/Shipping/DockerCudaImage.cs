using System.Text.RegularExpressions;

namespace Narrator.Model.Tests.Shipping;

/// <summary>The Dockerfile's runtime base (<c>ARG CUDA_IMAGE=nvidia/cuda:13.0.1-cudnn-runtime-ubuntu24.04</c>) and its CUDA major.</summary>
internal sealed partial record DockerCudaImage(string Tag, int Major)
{
    public static DockerCudaImage Read(string dockerfile) => Parse(File.ReadAllText(dockerfile), dockerfile);

    public static DockerCudaImage Parse(string text, string source)
    {
        var arg = CudaImageArg().Match(text);
        if (!arg.Success)
        {
            throw new InvalidDataException($"{source} has no ARG CUDA_IMAGE=<image> line.");
        }
        if (!text.Contains("FROM ${CUDA_IMAGE}", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{source} never runs FROM ${{CUDA_IMAGE}}: the build arg does not pick the runtime image.");
        }
        string tag = arg.Groups["image"].Value;
        var version = CudaVersion().Match(tag);
        if (!version.Success)
        {
            throw new InvalidDataException($"{source}: CUDA_IMAGE {tag} names no CUDA version (expected nvidia/cuda:<major>.<minor>...).");
        }
        return new DockerCudaImage(tag, int.Parse(version.Groups["major"].Value));
    }

    [GeneratedRegex(@"^ARG\s+CUDA_IMAGE=""?(?<image>[^\s""]+)""?\s*$", RegexOptions.Multiline)]
    private static partial Regex CudaImageArg();

    [GeneratedRegex(@":(?<major>\d+)\.\d+")]
    private static partial Regex CudaVersion();
}
