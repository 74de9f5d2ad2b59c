using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Engine.Pairing.Fields;

namespace Engine.Pairing.Groups;

/// <summary>Affine point with an identity mask; the same layout as <see cref="G1Affine"/> and <see cref="G2Affine"/>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct Affine<F>(F x, F y, ulong infinityMask) where F : unmanaged, IField<F>
{
    public readonly F X = x;
    public readonly F Y = y;
    public readonly ulong InfinityMask = infinityMask;
}

/// <summary>Projective → affine for many points with one inversion (Montgomery's batch-inversion trick).</summary>
internal static class BatchNormalize
{
    private const int StackLimit = 64;

    [SkipLocalsInit]
    public static void Run<F>(ReadOnlySpan<Projective<F>> points, Span<Affine<F>> destination) where F : unmanaged, IField<F>
    {
        F[]? rented = null;
        Span<F> prefix = points.Length <= StackLimit
            ? stackalloc F[StackLimit]
            : (rented = ArrayPool<F>.Shared.Rent(points.Length));

        // prefix[i] = Π_{j<i} z_j, skipping identities (z = 0) by multiplying 1 in their place.
        F acc = F.One;
        for (int i = 0; i < points.Length; i++)
        {
            prefix[i] = acc;
            acc *= F.Select(F.One, points[i].Z, points[i].IsIdentityMask);
        }
        F inv = acc.Invert();
        for (int i = points.Length - 1; i >= 0; i--)
        {
            ulong inf = points[i].IsIdentityMask;
            F z = F.Select(F.One, points[i].Z, inf);
            F zInv = inv * prefix[i];
            inv *= z;
            destination[i] = new Affine<F>(F.Select(F.Zero, points[i].X * zInv, inf), F.Select(F.Zero, points[i].Y * zInv, inf), inf);
        }
        if (rented is not null) ArrayPool<F>.Shared.Return(rented);
    }
}
