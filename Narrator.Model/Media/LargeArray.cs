using System.Runtime.InteropServices;

namespace Narrator.Model.Media;

/// <summary>
/// Allocates the big per-request arrays (decoded RGB, pixel_values: tens to hundreds of MB) without zeroing and, on Linux,
/// asks for transparent huge pages before first touch: faulting in 2 MB pages instead of 4 KB ones cut the first-touch
/// cost of an 84 MB pixel_values array from ~320 ms to ~20-40 ms CPU on the shared VM (measured; see docs/BENCHMARKS.md).
/// </summary>
internal static class LargeArray
{
    private const long HugePage = 2 << 20;
    private const int MadviseHugePage = 14;

    public static unsafe T[] Allocate<T>(int length)
        where T : unmanaged
    {
        var array = GC.AllocateUninitializedArray<T>(length);
        if (OperatingSystem.IsLinux() && (long)length * sizeof(T) >= 2 * HugePage)
        {
            // Arrays this large live on the large object heap, which does not move them, so the address stays valid.
            fixed (T* start = array)
            {
                var first = ((long)start + HugePage - 1) & ~(HugePage - 1);
                var end = ((long)start + (long)length * sizeof(T)) & ~(HugePage - 1);
                if (end > first)
                {
                    // Advice only: an error (e.g. huge pages disabled) leaves ordinary pages, which is correct, just slower.
                    _ = madvise((nint)first, (nuint)(end - first), MadviseHugePage);
                }
            }
        }
        return array;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int madvise(nint address, nuint length, int advice);
}
