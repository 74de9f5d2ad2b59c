using System.Collections.Concurrent;

namespace Engine.BigInt.Native;

/// <summary>
/// One generated kernel per size, made on first use under a lock and kept for the process (0 where generation failed
/// or was refused); each outcome is reported once for <c>engine info</c> as "<c>label(size)</c>: status".
/// </summary>
internal sealed class KernelCache(Func<int, string> label, Func<int, (nint Address, string Status)> generate)
{
    private readonly ConcurrentDictionary<int, nint> _made = new();
    private readonly object _gate = new();

    /// <summary>The kernel for <paramref name="size"/>, generated on the first call; 0 where there is none.</summary>
    public nint Get(int size)
    {
        if (_made.TryGetValue(size, out nint address)) return address;
        lock (_gate)
        {
            if (!_made.TryGetValue(size, out address))
            {
                (address, string status) = generate(size);
                _made[size] = address;
                NativeKernels.Report($"{label(size)}: {status}");
            }
        }
        return address;
    }
}
