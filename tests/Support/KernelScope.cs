using Engine.BigInt;

namespace Engine.Tests.Support;

/// <summary>The SIMD tiers a test can force in-process; fixtures using them are NonParallelizable.</summary>
public enum Tier { AsFound, NoIfma, No512, Scalar }

/// <summary>Forces a kernel tier for the duration of a using block.</summary>
internal readonly struct KernelScope : IDisposable
{
    public KernelScope(Tier tier)
    {
        Kernels.ForceScalar = tier == Tier.Scalar;
        Kernels.ForceNo512 = tier == Tier.No512;
        Kernels.ForceNoIfma = tier == Tier.NoIfma;
    }

    public void Dispose()
    {
        Kernels.ForceScalar = false;
        Kernels.ForceNo512 = false;
        Kernels.ForceNoIfma = false;
    }
}
